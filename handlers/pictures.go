package handlers

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"roster/models"
	"roster/routes"
)

// uploadBodyLimit is the most a picture upload may send. It is well above
// models.MaxPictureBytes, so that a picture a little too large is refused beside the field with
// its reason rather than by the size of the request.
const uploadBodyLimit = "12M"

// bodyLimits bounds every request body at 2 MB, except the picture upload's.
func bodyLimits() []echo.MiddlewareFunc {
	upload := routes.Path(routes.RouteOwnPictureSubmit)
	isUpload := func(c echo.Context) bool {
		return c.Request().Method == http.MethodPost && c.Request().URL.Path == upload
	}
	return []echo.MiddlewareFunc{
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "2M", Skipper: isUpload}),
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: uploadBodyLimit, Skipper: func(c echo.Context) bool { return !isUpload(c) }}),
	}
}

func (s *Server) ownPictureSubmit(c echo.Context) error {
	upload, err := readPictureUpload(c)
	if err == nil {
		err = s.store.SetOwnPicture(c.Request().Context(), actorOf(c), upload)
	}
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return s.renderHome(c, http.StatusUnprocessableEntity, nil, fields)
	}
	if err != nil {
		return err
	}
	s.flash(c, "Saved your picture.")
	return redirect(c, routes.Path(routes.RouteOwnProfile))
}

// readPictureUpload reads the form's picture, at most one byte more than a picture may have so
// that the store can say it is too large.
func readPictureUpload(c echo.Context) ([]byte, error) {
	file, err := c.FormFile("picture")
	if err != nil {
		return nil, models.FieldErrors{"picture": "Choose a picture to upload."}
	}
	f, err := file.Open()
	if err != nil {
		return nil, models.FieldErrors{"picture": "That file could not be read. Choose it again."}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, models.MaxPictureBytes+1))
	if err != nil {
		return nil, models.FieldErrors{"picture": "That file could not be read. Choose it again."}
	}
	return data, nil
}

func (s *Server) ownPictureRemove(c echo.Context) error {
	if err := s.store.RemoveOwnPicture(c.Request().Context(), actorOf(c)); err != nil {
		return err
	}
	s.flash(c, "Removed your picture.")
	return redirect(c, routes.Path(routes.RouteOwnProfile))
}

// picture serves a profile picture. Its address names its content, so it may be cached for
// good; an address of an older picture of the same person leads to the current one.
func (s *Server) picture(c echo.Context) error {
	id, ok := positiveID(c.Param("id"))
	if !ok || !strings.HasSuffix(c.Param("file"), ".jpg") {
		return models.ErrNotFound
	}
	picture, err := s.store.UserPictureOf(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	header := c.Response().Header()
	if c.Request().URL.Path != picture.Path {
		header.Set("Cache-Control", "no-store")
		return c.Redirect(http.StatusFound, picture.Path)
	}
	header.Set("Cache-Control", "private, max-age=31536000, immutable")
	header.Set(echo.HeaderXContentTypeOptions, "nosniff")
	return c.Blob(http.StatusOK, "image/jpeg", picture.Image)
}
