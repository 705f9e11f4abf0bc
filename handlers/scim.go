package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
)

const (
	scimContentType = "application/scim+json"
	// scimMaxBody is the largest request body a SCIM request may have (ServiceProviderConfig says so).
	scimMaxBody = 1 << 20
)

// isSCIMPath tells whether a request belongs to the SCIM API, which answers in SCIM's terms.
func isSCIMPath(path string) bool {
	return path == routes.ScimBase || strings.HasPrefix(path, routes.ScimBase+"/")
}

// scimRoutes are the SCIM 2.0 service provider (P1), for Okta and Microsoft Entra ID. They are
// authenticated by a provisioning token in the Authorization header, never by the session cookie,
// and so carry no CSRF token either: requireProvisioning checks the token on every request.
func (s *Server) scimRoutes() []route {
	p := models.PermProvisioning
	return []route{
		{http.MethodGet, routes.RouteScimServiceProviderConfig, p, s.scimServiceProviderConfig},
		{http.MethodGet, routes.RouteScimResourceTypes, p, s.scimResourceTypes},
		{http.MethodGet, routes.RouteScimResourceType, p, s.scimResourceType},
		{http.MethodGet, routes.RouteScimSchemas, p, s.scimSchemas},
		{http.MethodGet, routes.RouteScimSchema, p, s.scimSchema},
		{http.MethodGet, routes.RouteScimUsers, p, s.scimListUsers},
		{http.MethodPost, routes.RouteScimUserCreate, p, s.scimCreateUser},
		{http.MethodGet, routes.RouteScimUser, p, s.scimGetUser},
		{http.MethodPut, routes.RouteScimUserReplace, p, s.scimReplaceUser},
		{http.MethodPatch, routes.RouteScimUserPatch, p, s.scimPatchUser},
		{http.MethodDelete, routes.RouteScimUserDelete, p, s.scimDeleteUser},
		{http.MethodGet, routes.RouteScimGroups, p, s.scimListGroups},
		{http.MethodPost, routes.RouteScimGroupCreate, p, s.scimCreateGroup},
		{http.MethodGet, routes.RouteScimGroup, p, s.scimGetGroup},
		{http.MethodPut, routes.RouteScimGroupReplace, p, s.scimReplaceGroup},
		{http.MethodPatch, routes.RouteScimGroupPatch, p, s.scimPatchGroup},
		{http.MethodDelete, routes.RouteScimGroupDelete, p, s.scimDeleteGroup},
	}
}

// errProvisioningUnauthorized answers a request without a valid provisioning token.
var errProvisioningUnauthorized = echo.NewHTTPError(http.StatusUnauthorized, "A valid provisioning token is required: Authorization: Bearer <token>.")

// requireProvisioning authenticates the bearer token of a SCIM request and makes its
// provisioning actor the request's actor. It also refuses bodies over 1 MB and content types
// other than SCIM's and plain JSON — which no HTML form can send, so no browser is made to call
// the API on someone's behalf.
func (s *Server) requireProvisioning(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > scimMaxBody {
			return echo.ErrStatusRequestEntityTooLarge
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, scimMaxBody)
		scheme, token, _ := strings.Cut(req.Header.Get(echo.HeaderAuthorization), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return errProvisioningUnauthorized
		}
		actor, err := s.store.AuthenticateProvisioning(req.Context(), strings.TrimSpace(token))
		if errors.Is(err, models.ErrProvisioningTokenInvalid) {
			return errProvisioningUnauthorized
		}
		if err != nil {
			return err
		}
		actor.IP = c.RealIP()
		c.Set(actorContextKey, actor)
		if req.ContentLength != 0 && req.Method != http.MethodGet && req.Method != http.MethodDelete {
			media, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
			if err != nil || (media != scimContentType && media != echo.MIMEApplicationJSON) {
				return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send the request body as application/scim+json or application/json.")
			}
		}
		return next(c)
	}
}

// scimBody reads a request body of at most scimMaxBody bytes.
func scimBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, echo.ErrStatusRequestEntityTooLarge
	}
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "The request body could not be read.")
	}
	return body, nil
}

// scimJSON sends a SCIM response.
func scimJSON(c echo.Context, status int, body any) error {
	encoded, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.Blob(status, scimContentType+"; charset=utf-8", encoded)
}

// scimURL is the absolute address of a SCIM route, for a resource's meta.location.
func (s *Server) scimURL(c echo.Context, name string, params ...any) string {
	return s.baseURL(c) + routes.Path(name, params...)
}

func scimListResponse(total int64, startIndex int, resources []any) map[string]any {
	return map[string]any{"schemas": []string{models.ScimSchemaList}, "totalResults": total, "startIndex": startIndex,
		"itemsPerPage": len(resources), "Resources": resources}
}

func scimPage(c echo.Context) (models.ScimPage, error) {
	return models.ParseScimPage(c.QueryParam("filter"), c.QueryParam("startIndex"), c.QueryParam("count"))
}

func scimID(c echo.Context) (int64, error) { return models.ParseScimID(c.Param("id")) }

// scimChange reads a PUT's or PATCH's resource ID and body and hands both to the Store operation.
func scimChange[T any](c echo.Context, change func(context.Context, *models.Actor, int64, []byte) (T, error)) (T, error) {
	var none T
	id, err := scimID(c)
	if err != nil {
		return none, err
	}
	body, err := scimBody(c)
	if err != nil {
		return none, err
	}
	return change(c.Request().Context(), actorOf(c), id, body)
}

func (s *Server) scimListUsers(c echo.Context) error {
	page, err := scimPage(c)
	if err != nil {
		return err
	}
	list, err := s.store.ScimUsers(c.Request().Context(), actorOf(c), page)
	if err != nil {
		return err
	}
	resources := make([]any, len(list.Users))
	for i, u := range list.Users {
		resources[i] = scimProject(c, u.Resource(s.scimURL(c, routes.RouteScimUser, u.ID)))
	}
	return scimJSON(c, http.StatusOK, scimListResponse(list.Total, list.StartIndex, resources))
}

func (s *Server) scimGetUser(c echo.Context) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	u, err := s.store.ScimUser(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return s.scimUserResponse(c, http.StatusOK, u)
}

func (s *Server) scimUserResponse(c echo.Context, status int, u *models.ScimUser) error {
	location := s.scimURL(c, routes.RouteScimUser, u.ID)
	if status == http.StatusCreated {
		c.Response().Header().Set(echo.HeaderLocation, location)
	}
	return scimJSON(c, status, scimProject(c, u.Resource(location)))
}

func (s *Server) scimCreateUser(c echo.Context) error {
	body, err := scimBody(c)
	if err != nil {
		return err
	}
	u, err := s.store.ScimCreateUser(c.Request().Context(), actorOf(c), body, s.baseURL(c))
	if err != nil {
		return err
	}
	s.mailQueued()
	return s.scimUserResponse(c, http.StatusCreated, u)
}

func (s *Server) scimReplaceUser(c echo.Context) error {
	u, err := scimChange(c, s.store.ScimReplaceUser)
	if err != nil {
		return err
	}
	return s.scimUserResponse(c, http.StatusOK, u)
}

func (s *Server) scimPatchUser(c echo.Context) error {
	u, err := scimChange(c, s.store.ScimPatchUser)
	if err != nil {
		return err
	}
	return s.scimUserResponse(c, http.StatusOK, u)
}

func (s *Server) scimDeleteUser(c echo.Context) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	if err := s.store.ScimDeleteUser(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// scimWantsMembers is false when the request excludes a group's members, as Entra ID and Okta do
// when they only look a group up.
func scimWantsMembers(c echo.Context) bool {
	if scimNames(c.QueryParam("excludedAttributes"), "members") {
		return false
	}
	attrs := c.QueryParam("attributes")
	return attrs == "" || scimNames(attrs, "members")
}

// scimNames tells whether the comma-separated attribute list names name, in any letter case.
func scimNames(list, name string) bool {
	return slices.ContainsFunc(strings.Split(list, ","), func(a string) bool { return strings.EqualFold(strings.TrimSpace(a), name) })
}

func (s *Server) scimListGroups(c echo.Context) error {
	page, err := scimPage(c)
	if err != nil {
		return err
	}
	members := scimWantsMembers(c)
	list, err := s.store.ScimGroups(c.Request().Context(), actorOf(c), page, members)
	if err != nil {
		return err
	}
	resources := make([]any, len(list.Groups))
	for i, g := range list.Groups {
		resources[i] = scimProject(c, g.Resource(s.scimURL(c, routes.RouteScimGroup, g.ID), members))
	}
	return scimJSON(c, http.StatusOK, scimListResponse(list.Total, list.StartIndex, resources))
}

func (s *Server) scimGroupResponse(c echo.Context, status int, g *models.ScimGroup, members bool) error {
	location := s.scimURL(c, routes.RouteScimGroup, g.ID)
	if status == http.StatusCreated {
		c.Response().Header().Set(echo.HeaderLocation, location)
	}
	return scimJSON(c, status, scimProject(c, g.Resource(location, members)))
}

func (s *Server) scimGetGroup(c echo.Context) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	members := scimWantsMembers(c)
	g, err := s.store.ScimGroup(c.Request().Context(), actorOf(c), id, members)
	if err != nil {
		return err
	}
	return s.scimGroupResponse(c, http.StatusOK, g, members)
}

func (s *Server) scimCreateGroup(c echo.Context) error {
	body, err := scimBody(c)
	if err != nil {
		return err
	}
	g, err := s.store.ScimCreateGroup(c.Request().Context(), actorOf(c), body)
	if err != nil {
		return err
	}
	return s.scimGroupResponse(c, http.StatusCreated, g, true)
}

func (s *Server) scimReplaceGroup(c echo.Context) error {
	g, err := scimChange(c, s.store.ScimReplaceGroup)
	if err != nil {
		return err
	}
	return s.scimGroupResponse(c, http.StatusOK, g, true)
}

func (s *Server) scimPatchGroup(c echo.Context) error {
	g, err := scimChange(c, s.store.ScimPatchGroup)
	if err != nil {
		return err
	}
	return s.scimGroupResponse(c, http.StatusOK, g, true)
}

func (s *Server) scimDeleteGroup(c echo.Context) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	if err := s.store.ScimDeleteGroup(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// scimErrorHandler answers every failed SCIM request with an RFC 7644 §3.12 error body.
func scimErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, scimType, detail := scimErrorOf(err)
	if status >= 500 {
		slog.Error("SCIM request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="Roster SCIM"`)
	}
	body := map[string]any{"schemas": []string{models.ScimSchemaError}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		body["scimType"] = scimType
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if writeErr := scimJSON(c, status, body); writeErr != nil {
		slog.Error("write SCIM error", "err", writeErr)
	}
}

// scimErrorOf maps an error to a SCIM status, scimType and detail; the only place that does.
func scimErrorOf(err error) (int, string, string) {
	var scimErr models.ScimError
	var httpErr *echo.HTTPError
	if errors.As(err, &scimErr) {
		status := http.StatusBadRequest
		switch {
		case errors.Is(scimErr.Kind, models.ErrConflict):
			status = http.StatusConflict
		case errors.Is(scimErr.Kind, models.ErrNotFound):
			status = http.StatusNotFound
		}
		return status, scimErr.Type, scimErr.Detail
	}
	if errors.As(err, &httpErr) {
		detail, _ := httpErr.Message.(string)
		switch httpErr.Code {
		case http.StatusNotFound:
			detail = "There is no SCIM resource at this address."
		case http.StatusMethodNotAllowed:
			detail = "This SCIM resource does not support that method."
		case http.StatusRequestEntityTooLarge:
			detail = "The request body is larger than 1 MB."
		}
		if detail == "" {
			detail = http.StatusText(httpErr.Code)
		}
		return httpErr.Code, "", detail
	}
	if detail, ok := models.ScimExplain(err); ok {
		var fields models.FieldErrors
		var members models.AddMembersRejectedError
		if errors.As(err, &fields) || errors.As(err, &members) {
			return http.StatusBadRequest, models.ScimInvalidValue, detail
		}
		return http.StatusConflict, "", detail
	}
	switch {
	case errors.Is(err, models.ErrNotFound):
		return http.StatusNotFound, "", "No such resource in this account."
	case errors.Is(err, models.ErrForbidden):
		return http.StatusForbidden, "", "The provisioning token may not do this."
	case errors.Is(err, models.ErrConflict):
		return http.StatusConflict, "", "That changed in the meantime; try again."
	case errors.Is(err, models.ErrInvalid):
		return http.StatusBadRequest, models.ScimInvalidValue, "The request holds a value Roster cannot take."
	}
	return http.StatusInternalServerError, "", "Roster could not finish the request; nothing was changed. Try again."
}

// scimProject applies the attributes and excludedAttributes query parameters (RFC 7644 §3.9) to a
// resource: id and schemas are always returned. Names are matched ignoring case and may name a
// sub-attribute (name.givenName) or carry their schema's URN.
func scimProject(c echo.Context, resource map[string]any) map[string]any {
	if attributes := c.QueryParam("attributes"); attributes != "" {
		return scimKeepAttributes(resource, strings.Split(attributes, ","))
	}
	if excluded := c.QueryParam("excludedAttributes"); excluded != "" {
		scimDropAttributes(resource, strings.Split(excluded, ","))
	}
	return resource
}

// scimAttributePath is an attribute name as a client writes it: in an extension's schema or
// the core one, and maybe down to a sub-attribute.
type scimAttributePath struct{ ext, attr, sub string }

func parseScimAttributePath(resource map[string]any, name string) scimAttributePath {
	name = strings.TrimSpace(name)
	var p scimAttributePath
	for key := range resource {
		if strings.HasPrefix(key, "urn:") && len(name) > len(key) && strings.EqualFold(name[:len(key)+1], key+":") {
			p.ext, name = key, name[len(key)+1:]
			break
		}
	}
	p.attr, p.sub, _ = strings.Cut(name, ".")
	return p
}

// scimKey is m's key that matches name ignoring case.
func scimKey(m map[string]any, name string) (string, bool) {
	for k := range m {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// scimKeepAttributes is resource with only the named attributes, and its id and schemas.
func scimKeepAttributes(resource map[string]any, names []string) map[string]any {
	out := map[string]any{"id": resource["id"], "schemas": resource["schemas"]}
	for _, name := range names {
		p := parseScimAttributePath(resource, name)
		source, target := resource, out
		if p.ext != "" {
			ext, _ := resource[p.ext].(map[string]any)
			if ext == nil {
				continue
			}
			if out[p.ext] == nil {
				out[p.ext] = map[string]any{}
			}
			source, target = ext, out[p.ext].(map[string]any)
		}
		scimCopyAttribute(source, target, p)
	}
	return out
}

// scimCopyAttribute copies p's attribute, or only its sub-attribute, from source to target.
func scimCopyAttribute(source, target map[string]any, p scimAttributePath) {
	key, ok := scimKey(source, p.attr)
	if !ok {
		return
	}
	sub, isObject := source[key].(map[string]any)
	if p.sub == "" || !isObject {
		target[key] = source[key]
		return
	}
	if subKey, ok := scimKey(sub, p.sub); ok {
		kept, _ := target[key].(map[string]any)
		if kept == nil {
			kept = map[string]any{}
			target[key] = kept
		}
		kept[subKey] = sub[subKey]
	}
}

// scimDropAttributes removes the named top-level attributes from resource, never its id or
// schemas.
func scimDropAttributes(resource map[string]any, names []string) {
	for _, name := range names {
		p := parseScimAttributePath(resource, name)
		source := resource
		if p.ext != "" {
			source, _ = resource[p.ext].(map[string]any)
		}
		if key, ok := scimKey(source, p.attr); ok && key != "id" && key != "schemas" && p.sub == "" {
			delete(source, key)
		}
	}
}
