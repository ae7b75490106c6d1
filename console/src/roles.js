// roles.js — what each role sees: the home title, the side menu, and which
// pages it may open. The server is the authority (it checks every route);
// this only keeps the console from offering doors that would answer 403.

export const ROLE_NAMES = {
  officer: '执法人员',
  reviewer: '法制审核人员',
  head: '部门负责人',
  publicity: '公示管理员',
  supervisor: '司法局监督人员',
  auditor: '审计员',
  admin: '系统管理员'
}

export function homeTitle(role) {
  return (ROLE_NAMES[role] || '') + '工作台'
}

const LIBRARY_ROLES = ['officer', 'reviewer', 'head', 'publicity', 'supervisor', 'admin']

// GET /api/v1/deadlines: department staff see their own department, the
// Justice Bureau's supervisors every department (src/api/calendar.c).
export const DEADLINE_ROLES = ['officer', 'reviewer', 'head', 'publicity', 'supervisor']

// Route name → roles allowed to open it. Routes not listed are open to
// every logged-in user.
export const PAGE_ROLES = {
  users: ['admin'],
  departments: LIBRARY_ROLES,
  department: LIBRARY_ROLES,
  officers: LIBRARY_ROLES,
  matters: LIBRARY_ROLES,
  matter: LIBRARY_ROLES,
  laws: LIBRARY_ROLES,
  law: LIBRARY_ROLES,
  audit: ['auditor', 'supervisor'],
  // 事前公开 (issue 7): the department's publicity officer and head edit,
  // review and publish; supervisors and the administrator read
  publicity: ['publicity', 'head', 'supervisor', 'admin'],
  'officer-cards': ['publicity', 'head', 'supervisor', 'admin'],
  // 事后公开 (issue 7): the publicity officer and head confirm and publish;
  // supervisors and the administrator read the masked text
  publications: ['publicity', 'head', 'supervisor', 'admin'],
  deadlines: DEADLINE_ROLES,
  // 案件办理 (issue 5): department staff work their department's cases;
  // the Justice Bureau's supervisors read every department's
  cases: ['officer', 'reviewer', 'head'],
  'cases-all': ['supervisor'],
  'case-new': ['officer', 'head'],
  case: ['officer', 'reviewer', 'head', 'publicity', 'supervisor'],
  approvals: ['head', 'reviewer'],
  'case-stats': ['officer', 'reviewer', 'head', 'supervisor'],
  // 当事人档案 (issue 4): GET /parties/{identifier}/cases and /records
  'party-records': ['officer', 'reviewer', 'head', 'supervisor'],
  field: ['officer', 'head'],
  // 案卷评查: the Justice Bureau's supervisors alone (src/api/evaluations.c)
  evaluations: ['supervisor'],
  evaluation: ['supervisor'],
  // 法制审核 (issue 6): the queue and a case's review for department staff
  // and the Justice Bureau; the bureau's view for supervisors (a head sees
  // their own department's)
  reviews: ['officer', 'reviewer', 'head', 'supervisor'],
  'review-case': ['officer', 'reviewer', 'head', 'supervisor'],
  'review-bureau': ['supervisor', 'head', 'admin'],
  // the catalog: the head edits their department's, the Justice Bureau files
  // or returns it; the pool and staffing: the bureau and the administrator
  // keep the pool, a head sees their department's staffing
  'review-catalog': ['head', 'supervisor', 'admin'],
  'review-pool': ['supervisor', 'admin', 'head'],
  // 年报 (issue 7): the department's publicity officer and head generate,
  // review and publish; the Justice Bureau sees who is late
  'annual-reports': ['publicity', 'head', 'supervisor', 'admin'],
  // 执法监督 (issue 8): the Justice Bureau's supervisor; a head sees their
  // own department's cockpit, tasks and filings
  cockpit: ['supervisor'],
  'cockpit-dept': ['supervisor', 'head'],
  tracker: ['supervisor', 'head'],
  filings: ['supervisor', 'head'],
  // 双随机、一公开 (issue 7): department staff and the Justice Bureau read;
  // heads and publicity officers plan and draw, drawn officers enter results
  spotchecks: ['officer', 'reviewer', 'head', 'publicity', 'supervisor', 'auditor', 'admin'],
  spotcheck: ['officer', 'reviewer', 'head', 'publicity', 'supervisor', 'auditor', 'admin'],
  // 投诉举报 (issue 8): the department's officers and head, the Justice
  // Bureau; 调阅监督 for the auditor and the bureau
  complaints: ['officer', 'head', 'supervisor'],
  complaint: ['officer', 'head', 'supervisor'],
  'access-review': ['auditor', 'supervisor'],
  // The administrator keeps the rules but sees no department's clocks.
  'deadline-rules': ['admin']
  // calendar: every role
}

export function canOpen(routeName, role) {
  const allowed = PAGE_ROLES[routeName]
  return !allowed || allowed.includes(role)
}

// The side menu: groups of entries, filtered by canOpen.
export const MENU = [
  { route: 'home', label: '工作台', icon: 'HomeFilled' },
  { route: 'users', label: '账户管理', icon: 'User' },
  {
    group: '期限管理',
    icon: 'AlarmClock',
    items: [
      { route: 'deadlines', label: '期限预警' },
      { route: 'deadline-rules', label: '期限规则' },
      { route: 'calendar', label: '工作日历' }
    ]
  },
  {
    group: '案件办理',
    icon: 'Briefcase',
    items: [
      { route: 'cases', label: '我的案件' },
      { route: 'cases-all', label: '全部案件' },
      { route: 'case-new', label: '案源登记' },
      { route: 'approvals', label: '待我审批' },
      { route: 'field', label: '移动执法' },
      { route: 'party-records', label: '当事人档案' },
      { route: 'case-stats', label: '案件统计' },
      { route: 'evaluations', label: '案卷评查' }
    ]
  },
  {
    group: '法制审核',
    icon: 'Document',
    items: [
      { route: 'reviews', label: '审核队列' },
      { route: 'review-bureau', label: '审核监督' },
      { route: 'review-catalog', label: '目录清单' },
      { route: 'review-pool', label: '审核人员库' }
    ]
  },
  {
    group: '三库',
    icon: 'Collection',
    items: [
      { route: 'departments', label: '执法主体' },
      { route: 'officers', label: '执法人员' },
      { route: 'matters', label: '执法事项' },
      { route: 'laws', label: '法律法规' }
    ]
  },
  {
    group: '事前公开',
    icon: 'Document',
    items: [
      { route: 'publicity', label: '公开内容' },
      { route: 'officer-cards', label: '证件与照片' }
    ]
  },
  {
    group: '事后公开',
    icon: 'Document',
    items: [{ route: 'publications', label: '决定公示' }]
  },
  { route: 'annual-reports', label: '执法数据年报', icon: 'Document' },
  {
    group: '执法监督',
    icon: 'DataAnalysis',
    items: [
      { route: 'cockpit', label: '监督驾驶舱' },
      { route: 'tracker', label: '任务分解表' },
      { route: 'filings', label: '备案' }
    ]
  },
  { route: 'spotchecks', label: '双随机抽查', icon: 'Document' },
  { route: 'complaints', label: '投诉举报', icon: 'ChatLineSquare' },
  { route: 'access-review', label: '调阅监督', icon: 'View' },
  { route: 'audit', label: '审计日志', icon: 'Document' },
  { route: 'profile', label: '个人设置', icon: 'Setting' }
]

export function menuFor(role) {
  const out = []
  for (const m of MENU) {
    if (m.group) {
      const items = m.items.filter((i) => canOpen(i.route, role))
      if (items.length) out.push({ ...m, items })
    } else if (canOpen(m.route, role)) {
      out.push(m)
    }
  }
  return out
}

// Editing the libraries: admin anywhere, a department head in their own
// department (the server checks the same rule).
export function canEditInDept(user, departmentId) {
  if (!user) return false
  if (user.role === 'admin') return true
  return user.role === 'head' && departmentId != null && String(user.department_id) === String(departmentId)
}

// May import a year's holiday schedule and edit the deadline rules (the
// server allows POST /calendar/import and PUT /deadline-rules to admin only).
export function canManageCalendar(user) {
  return !!user && user.role === 'admin'
}

export const OFFICER_STATUS = [
  { code: 'active', name: '在岗' },
  { code: 'suspended', name: '暂停执法' },
  { code: 'revoked', name: '已注销' }
]

export const POWER_TYPES = [
  { code: 'licensing', name: '行政许可' },
  { code: 'penalty', name: '行政处罚' },
  { code: 'coercion', name: '行政强制' },
  { code: 'inspection', name: '行政检查' },
  { code: 'expropriation', name: '行政征收征用' },
  { code: 'other', name: '其他' }
]
