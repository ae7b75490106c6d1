// useList.js — the state every list page shares: filters, page, page size,
// sort, the loaded items and total, loading and error. Filters, page and
// sort live in the URL query so a list can be linked to (a home card opens
// "执法人员?department_id=3") and the back button restores it.
import { reactive, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { api } from './api.js'

export function useList(path, filterDefaults = {}, opts = {}) {
  const route = useRoute()
  const router = useRouter()
  const filters = reactive({ ...filterDefaults })
  const state = reactive({
    page: 1,
    perPage: opts.perPage || 20,
    sort: opts.sort || '',
    items: [],
    total: 0,
    // false when the API counted only up to a bound (total_exact: false):
    // total is then a lower bound and the pager says so, never a plain number
    totalExact: true,
    loading: false,
    error: ''
  })
  const loaded = ref(false)

  function fromQuery(q) {
    for (const k of Object.keys(filterDefaults)) {
      filters[k] = q[k] !== undefined ? String(q[k]) : filterDefaults[k]
    }
    state.page = Math.max(1, parseInt(q.page, 10) || 1)
    state.perPage = parseInt(q.per_page, 10) || opts.perPage || 20
    state.sort = q.sort !== undefined ? String(q.sort) : opts.sort || ''
  }

  function toQuery() {
    const q = {}
    for (const [k, v] of Object.entries(filters)) if (v !== '' && v != null) q[k] = String(v)
    if (state.page > 1) q.page = String(state.page)
    if (state.perPage !== (opts.perPage || 20)) q.per_page = String(state.perPage)
    if (state.sort && state.sort !== (opts.sort || '')) q.sort = state.sort
    return q
  }

  async function load() {
    state.loading = true
    state.error = ''
    try {
      const r = await api.get(path, { ...filters, page: state.page, per_page: state.perPage, sort: state.sort })
      state.items = r.items || []
      state.total = r.total || 0
      state.totalExact = r.total_exact !== false
    } catch (e) {
      state.items = []
      state.total = 0
      state.totalExact = true
      state.error = e.message
    } finally {
      state.loading = false
      loaded.value = true
    }
  }

  // Writing the URL is the only way to change what is shown; the route
  // watcher below then loads. Same query → load directly (e.g. 刷新).
  function apply() {
    const q = toQuery()
    if (JSON.stringify(q) === JSON.stringify(route.query)) load()
    else router.replace({ name: route.name, params: route.params, query: q })
  }

  function search() {
    state.page = 1
    apply()
  }

  // For pickers whose change event carries the value: set it, then search.
  function setFilter(key, value) {
    filters[key] = value ?? ''
    search()
  }

  function reset() {
    Object.assign(filters, filterDefaults)
    state.sort = opts.sort || ''
    search()
  }

  function setPage(p) {
    state.page = p
    apply()
  }

  function setPerPage(n) {
    state.perPage = n
    state.page = 1
    apply()
  }

  // For el-table @sort-change: {prop, order: 'ascending'|'descending'|null}.
  // sortMap translates a column prop to the server's sort field name.
  function onSortChange({ prop, order }, sortMap = {}) {
    const field = sortMap[prop] || prop
    state.sort = !order ? opts.sort || '' : (order === 'descending' ? '-' : '') + field
    state.page = 1
    apply()
  }

  // el-table default-sort from the current sort string.
  function defaultSort(sortMap = {}) {
    if (!state.sort) return undefined
    const desc = state.sort.startsWith('-')
    const field = desc ? state.sort.slice(1) : state.sort
    const prop = Object.keys(sortMap).find((k) => sortMap[k] === field) || field
    return { prop, order: desc ? 'descending' : 'ascending' }
  }

  const routeName = route.name
  watch(
    () => route.query,
    (q) => {
      if (route.name !== routeName) return
      fromQuery(q)
      load()
    },
    { immediate: true }
  )

  return { filters, state, loaded, load, search, setFilter, reset, setPage, setPerPage, onSortChange, defaultSort }
}
