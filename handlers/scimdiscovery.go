package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
)

// Discovery (RFC 7644 §4): what this service provider supports, truthfully. PATCH and filters
// yes (filter with maxResults, the largest page); bulk, sorting, ETags and password changes no.
func (s *Server) scimServiceProviderConfig(c echo.Context) error {
	return scimJSON(c, http.StatusOK, map[string]any{
		"schemas":        []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"patch":          map[string]any{"supported": true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": models.ScimMaxCount},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": false},
		"etag":           map[string]any{"supported": false},
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "Provisioning token", "primary": true,
			"description": "A token made under Settings > Account > Provisioning or with `roster scim-token`, sent as Authorization: Bearer <token>.",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": s.scimURL(c, routes.RouteScimServiceProviderConfig)},
	})
}

func (s *Server) scimResourceTypeList(c echo.Context) []map[string]any {
	return []map[string]any{
		{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"},
			"id":      "User", "name": "User", "endpoint": "/Users", "description": "People in the account",
			"schema": models.ScimSchemaUser,
			"schemaExtensions": []any{
				map[string]any{"schema": models.ScimSchemaEnterprise, "required": false},
				map[string]any{"schema": models.ScimSchemaRoster, "required": false},
			},
			"meta": map[string]any{"resourceType": "ResourceType", "location": s.scimURL(c, routes.RouteScimResourceType, "User")},
		},
		{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"},
			"id":      "Group", "name": "Group", "endpoint": "/Groups", "description": "Roster groups",
			"schema": models.ScimSchemaGroup, "schemaExtensions": []any{},
			"meta": map[string]any{"resourceType": "ResourceType", "location": s.scimURL(c, routes.RouteScimResourceType, "Group")},
		},
	}
}

func (s *Server) scimResourceTypes(c echo.Context) error {
	types := s.scimResourceTypeList(c)
	resources := make([]any, len(types))
	for i, t := range types {
		resources[i] = t
	}
	return scimJSON(c, http.StatusOK, scimListResponse(int64(len(resources)), 1, resources))
}

func (s *Server) scimResourceType(c echo.Context) error {
	for _, t := range s.scimResourceTypeList(c) {
		if t["id"] == c.Param("id") {
			return scimJSON(c, http.StatusOK, t)
		}
	}
	return models.ErrNotFound
}

// scimAttr describes one attribute for /Schemas.
func scimAttr(name, typ string, multi, required bool, mutability, uniqueness string, sub ...map[string]any) map[string]any {
	a := map[string]any{"name": name, "type": typ, "multiValued": multi, "required": required, "caseExact": false,
		"mutability": mutability, "returned": "default", "uniqueness": uniqueness, "description": name}
	if len(sub) > 0 {
		a["subAttributes"] = sub
	}
	if typ == "reference" {
		a["referenceTypes"] = []string{"User", "Group"}
	}
	return a
}

func (s *Server) scimSchemaList(c echo.Context) []map[string]any {
	rw, ro, none, server := "readWrite", "readOnly", "none", "server"
	multi := func(name string, mutability string) map[string]any {
		return scimAttr(name, "complex", true, false, mutability, none,
			scimAttr("value", "string", false, false, mutability, none),
			scimAttr("type", "string", false, false, mutability, none),
			scimAttr("primary", "boolean", false, false, mutability, none),
			scimAttr("display", "string", false, false, ro, none))
	}
	schema := func(id, name, description string, attrs ...map[string]any) map[string]any {
		return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"}, "id": id, "name": name,
			"description": description, "attributes": attrs,
			"meta": map[string]any{"resourceType": "Schema", "location": s.scimURL(c, routes.RouteScimSchema, id)}}
	}
	userName := scimAttr("userName", "string", false, true, rw, server)
	userName["description"] = "The user's e-mail address, unique in the account in any letter case."
	return []map[string]any{
		schema(models.ScimSchemaUser, "User", "User Account",
			userName,
			scimAttr("name", "complex", false, false, rw, none,
				scimAttr("formatted", "string", false, false, rw, none),
				scimAttr("givenName", "string", false, false, rw, none),
				scimAttr("familyName", "string", false, false, rw, none)),
			scimAttr("displayName", "string", false, false, rw, none),
			scimAttr("externalId", "string", false, false, rw, none),
			scimAttr("active", "boolean", false, false, rw, none),
			multi("emails", rw),
			multi("phoneNumbers", rw),
			multi("groups", ro),
		),
		schema(models.ScimSchemaEnterprise, "EnterpriseUser", "Enterprise User",
			scimAttr("manager", "complex", false, false, rw, none,
				scimAttr("value", "string", false, false, rw, none),
				scimAttr("displayName", "string", false, false, ro, none))),
		schema(models.ScimSchemaRoster, "RosterUser", "Roster's seat and role of a user",
			scimAttr("plan", "string", false, false, rw, none),
			scimAttr("role", "string", false, false, rw, none)),
		schema(models.ScimSchemaGroup, "Group", "Group",
			scimAttr("displayName", "string", false, true, rw, server),
			scimAttr("externalId", "string", false, false, rw, none),
			scimAttr("members", "complex", true, false, rw, none,
				scimAttr("value", "string", false, false, "immutable", none),
				scimAttr("display", "string", false, false, ro, none),
				scimAttr("type", "string", false, false, "immutable", none))),
	}
}

func (s *Server) scimSchemas(c echo.Context) error {
	schemas := s.scimSchemaList(c)
	resources := make([]any, len(schemas))
	for i, sc := range schemas {
		resources[i] = sc
	}
	return scimJSON(c, http.StatusOK, scimListResponse(int64(len(resources)), 1, resources))
}

func (s *Server) scimSchema(c echo.Context) error {
	for _, sc := range s.scimSchemaList(c) {
		if sc["id"] == c.Param("id") {
			return scimJSON(c, http.StatusOK, sc)
		}
	}
	return models.ErrNotFound
}
