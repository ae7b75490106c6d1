/* authz.c — the one place that decides whether a request may use a route.
 *
 * Anything a route does not declare is denied: a role not in route->roles is
 * refused, and a role in route->own_dept_roles is refused unless the object
 * belongs to the user's own department. */
#include "api/api.h"

int zf_authz_check(const zf_route *route, zf_ctx *c)
{
    int64_t dept;

    if (route->roles & ZF_PUBLIC)
        return 0;
    if (!c->who)
        return zf_err_set(&c->err, ZF_EAUTH, "unauthenticated", NULL, "请先登录");
    if (!(route->roles & c->who->role))
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "您的角色（%s）无权执行此操作",
                          zf_role_name(c->who->role));
    if (c->who->via_token && !c->who->token_can_write && route->method[0] != 'G')
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "该访问令牌只有只读权限");
    if (!(route->own_dept_roles & c->who->role))
        return 0;
    if (!route->dept)
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "无权访问");
    dept = route->dept(c);
    if (dept < 0)
        return (int)dept; /* the resolver set c->err (not found, bad input) */
    if (dept != c->who->department_id)
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "只能操作本部门的数据");
    return 0;
}
