// session.js — who is logged in, shared by every page (a small reactive
// store; no Pinia needed for one object).
import { reactive } from 'vue'

export const session = reactive({
  user: null, // USER from /auth/login or /auth/me
  csrf: '',
  checked: false // /auth/me has been asked once since the page loaded
})

export function setSession(data) {
  session.user = data.user
  session.csrf = data.csrf_token || ''
  session.checked = true
}

export function clearSession() {
  session.user = null
  session.csrf = ''
  session.checked = true
}

export function hasRole(...roles) {
  return !!session.user && roles.includes(session.user.role)
}
