// node-casbin's RBAC-with-deny model over keyMatch resources: the model
// PermissionIndex implements (README "Authorization index"), shared by the
// differential test and bench:permissions.
export const RBAC_DENY_KEYMATCH = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && (r.act == p.act || p.act == "*")`;
