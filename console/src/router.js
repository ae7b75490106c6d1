// router.js — hash routes (so zhifa only serves /console/index.html and its
// assets) and the guard that asks /auth/me once, sends strangers to 登录
// and keeps each role out of pages it cannot use.
import { createRouter, createWebHashHistory } from 'vue-router'
import { auth, setUnauthenticatedHandler } from './api.js'
import { session, setSession, clearSession } from './session.js'
import { canOpen } from './roles.js'

const routes = [
  { path: '/login', name: 'login', component: () => import('./pages/Login.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: () => import('./pages/Layout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./pages/Home.vue'), meta: { title: '工作台' } },
      { path: 'users', name: 'users', component: () => import('./pages/Users.vue'), meta: { title: '账户管理' } },
      { path: 'departments', name: 'departments', component: () => import('./pages/Departments.vue'), meta: { title: '执法主体' } },
      { path: 'departments/:id', name: 'department', component: () => import('./pages/DepartmentDetail.vue'), meta: { title: '执法主体详情' } },
      { path: 'officers', name: 'officers', component: () => import('./pages/Officers.vue'), meta: { title: '执法人员' } },
      { path: 'matters', name: 'matters', component: () => import('./pages/Matters.vue'), meta: { title: '执法事项' } },
      { path: 'matters/:id', name: 'matter', component: () => import('./pages/MatterDetail.vue'), meta: { title: '执法事项详情' } },
      { path: 'laws', name: 'laws', component: () => import('./pages/Laws.vue'), meta: { title: '法律法规' } },
      { path: 'laws/:id', name: 'law', component: () => import('./pages/LawDetail.vue'), meta: { title: '法律法规详情' } },
      { path: 'deadlines', name: 'deadlines', component: () => import('./pages/Deadlines.vue'), meta: { title: '期限预警' } },
      { path: 'deadline-rules', name: 'deadline-rules', component: () => import('./pages/Deadlines.vue'), meta: { title: '期限规则' } },
      { path: 'calendar', name: 'calendar', component: () => import('./pages/Calendar.vue'), meta: { title: '工作日历' } },
      { path: 'publicity', name: 'publicity', component: () => import('./pages/Publicity.vue'), meta: { title: '公开内容' } },
      { path: 'officer-cards', name: 'officer-cards', component: () => import('./pages/OfficerCards.vue'), meta: { title: '证件与照片' } },
      // 事后公开 (issue 7): the queue of decisions to publish, 保密审查, withdrawal
      { path: 'publications', name: 'publications', component: () => import('./pages/Publications.vue'), meta: { title: '决定公示' } },
      // 法制审核 (issue 6)
      { path: 'reviews', name: 'reviews', component: () => import('./pages/Reviews.vue'), meta: { title: '法制审核' } },
      { path: 'reviews/case/:id(\\d+)', name: 'review-case', component: () => import('./pages/ReviewCase.vue'), meta: { title: '法制审核' } },
      { path: 'review-bureau', name: 'review-bureau', component: () => import('./pages/ReviewBureau.vue'), meta: { title: '法制审核监督' } },
      { path: 'review-catalog', name: 'review-catalog', component: () => import('./pages/ReviewCatalog.vue'), meta: { title: '法制审核目录清单' } },
      { path: 'review-pool', name: 'review-pool', component: () => import('./pages/ReviewPool.vue'), meta: { title: '审核人员库' } },
      // 年报 (issue 7)
      { path: 'annual-reports', name: 'annual-reports', component: () => import('./pages/AnnualReports.vue'), meta: { title: '行政执法数据年报' } },
      // 执法监督 (issue 8): cockpit, tracker, filings
      { path: 'cockpit', name: 'cockpit', component: () => import('./pages/Cockpit.vue'), meta: { title: '执法监督驾驶舱' } },
      { path: 'cockpit/:id(\\d+)', name: 'cockpit-dept', component: () => import('./pages/Cockpit.vue'), meta: { title: '部门驾驶舱' } },
      { path: 'tracker', name: 'tracker', component: () => import('./pages/Tracker.vue'), meta: { title: '任务分解表' } },
      { path: 'filings', name: 'filings', component: () => import('./pages/Filings.vue'), meta: { title: '备案' } },
      // 双随机、一公开 (issue 7)
      { path: 'spotchecks', name: 'spotchecks', component: () => import('./pages/SpotChecks.vue'), meta: { title: '双随机抽查' } },
      { path: 'spotchecks/:id(\\d+)', name: 'spotcheck', component: () => import('./pages/SpotCheckDetail.vue'), meta: { title: '抽查计划' } },
      { path: 'audit', name: 'audit', component: () => import('./pages/Audit.vue'), meta: { title: '审计日志' } },
      // 案件办理 (issue 5): the officer's workspace, approvals, the Justice Bureau's views, 移动执法
      { path: 'cases', name: 'cases', component: () => import('./pages/Cases.vue'), meta: { title: '我的案件' } },
      { path: 'cases-all', name: 'cases-all', component: () => import('./pages/Cases.vue'), meta: { title: '全部案件' } },
      { path: 'cases/new', name: 'case-new', component: () => import('./pages/CaseNew.vue'), meta: { title: '案源登记' } },
      { path: 'cases/:id(\\d+)', name: 'case', component: () => import('./pages/CaseDetail.vue'), meta: { title: '案件' } },
      { path: 'approvals', name: 'approvals', component: () => import('./pages/Approvals.vue'), meta: { title: '待我审批' } },
      { path: 'party-records', name: 'party-records', component: () => import('./pages/PartyRecords.vue'), meta: { title: '当事人档案' } },
      { path: 'case-stats', name: 'case-stats', component: () => import('./pages/CaseStats.vue'), meta: { title: '案件统计' } },
      { path: 'field', name: 'field', component: () => import('./pages/FieldWork.vue'), meta: { title: '移动执法' } },
      // 案卷评查 (issue 5): the Justice Bureau's case-file evaluations
      { path: 'evaluations', name: 'evaluations', component: () => import('./pages/Evaluations.vue'), meta: { title: '案卷评查' } },
      { path: 'evaluations/:id(\\d+)', name: 'evaluation', component: () => import('./pages/EvaluationDraw.vue'), meta: { title: '案卷评查' } },
      // 投诉举报 and 调阅监督 (issue 8)
      { path: 'complaints', name: 'complaints', component: () => import('./pages/Complaints.vue'), meta: { title: '投诉举报' } },
      { path: 'complaints/:id(\\d+)', name: 'complaint', component: () => import('./pages/ComplaintDetail.vue'), meta: { title: '投诉' } },
      { path: 'access-review', name: 'access-review', component: () => import('./pages/AccessReview.vue'), meta: { title: '调阅监督' } },
      { path: 'profile', name: 'profile', component: () => import('./pages/Profile.vue'), meta: { title: '个人设置' } },
      { path: 'forbidden', name: 'forbidden', component: () => import('./pages/Forbidden.vue'), meta: { title: '无权访问' } },
      { path: ':rest(.*)*', name: 'notfound', component: () => import('./pages/NotFound.vue'), meta: { title: '页面不存在' } }
    ]
  }
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  // "#art-12" on a law opens at that article; otherwise start at the top.
  scrollBehavior(to) {
    if (to.hash) return { el: to.hash, top: 70 }
    return { top: 0 }
  }
})

router.beforeEach(async (to) => {
  if (!session.checked) {
    try {
      setSession(await auth.me())
    } catch (e) {
      clearSession()
    }
  }
  if (to.meta.public) {
    // A logged-in user opening 登录 goes to their home instead.
    if (to.name === 'login' && session.user) return { name: 'home' }
    return true
  }
  if (!session.user) {
    const redirect = to.fullPath !== '/' ? to.fullPath : undefined
    return { name: 'login', query: redirect ? { redirect } : {} }
  }
  if (!canOpen(to.name, session.user.role)) return { name: 'forbidden' }
  return true
})

router.afterEach((to) => {
  document.title = (to.meta.title ? to.meta.title + ' · ' : '') + '行政执法三项制度工作平台'
})

// A 401 from any API call: the session expired or was ended elsewhere.
setUnauthenticatedHandler(() => {
  const cur = router.currentRoute.value
  if (cur.name !== 'login') router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } })
})
