# Builds the single static binary; the image holds nothing else.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /roster .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /roster /roster
EXPOSE 8080
ENTRYPOINT ["/roster"]
CMD ["serve"]
