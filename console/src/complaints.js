// complaints.js — names shared by the complaint pages (issue 8).
export const COMPLAINT_STATUS = {
  submitted: '待受理',
  accepted: '已受理',
  investigating: '调查处理中',
  replied: '已答复',
  closed: '已办结',
  rejected: '不予受理'
}

export const COMPLAINT_SUBJECT = { officer: '执法人员', case: '具体案件', department: '执法部门' }

// The deadline as a tag: red overdue, yellow due within 3 working days.
export function deadlineTag(row) {
  const left = row.workdays_left
  switch (row.deadline_state) {
    case 'overdue': return { type: 'danger', text: `已超期（${row.due_date}）` }
    case 'due_soon': return { type: 'warning', text: `剩 ${left} 个工作日（${row.due_date}）` }
    case 'on_time': return { type: 'success', text: `剩 ${left} 个工作日` }
    case 'done_on_time': return { type: 'info', text: '按期办结' }
    case 'done_late': return { type: 'danger', text: '逾期办结' }
    case 'paused': return { type: 'info', text: '期限中止' }
    default: return { type: 'info', text: row.due_date || '—' }
  }
}
