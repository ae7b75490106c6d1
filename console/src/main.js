// Console entry: Vue 3 + Element Plus in Simplified Chinese.
import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
// Date pickers take month and weekday names from dayjs's own locale; the
// global locale also makes weeks start on Monday (工作日历's month grid).
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import 'element-plus/dist/index.css'
import {
  HomeFilled, User, Collection, Document, Setting, Avatar, ArrowRight, Fold, Expand, AlarmClock
} from '@element-plus/icons-vue'
import App from './App.vue'
import { router } from './router.js'
import './style.css'
// 案件办理 (issue 5): its menu icon, phone and tablet layout, the offline app shell
import { Briefcase } from '@element-plus/icons-vue'
import './mobile.css'
import { DataAnalysis } from '@element-plus/icons-vue'
// 投诉举报 and 调阅监督 (issue 8): their menu icons
import { ChatLineSquare, View } from '@element-plus/icons-vue'
import { registerServiceWorker } from './cases/pwa.js'

dayjs.locale('zh-cn')

const app = createApp(App)
app.use(ElementPlus, { locale: zhCn })
// Icons used by name in templates (menu entries, header); the rest are
// imported where used so the bundle holds only what is drawn.
for (const [name, c] of Object.entries({ HomeFilled, User, Collection, Document, Setting, Avatar, ArrowRight, Fold, Expand, AlarmClock })) {
  app.component(name, c)
}
app.component('Briefcase', Briefcase)
// 执法监督 (issue 8): its menu icon
app.component('DataAnalysis', DataAnalysis)
app.component('ChatLineSquare', ChatLineSquare)
app.component('View', View)
app.use(router)
app.mount('#app')
registerServiceWorker()
