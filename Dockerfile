# syntax=docker/dockerfile:1
# Dropcast: multi-stage image. Build:  docker build -t dropcast .
# Run (demo):  docker run --rm -p 8080:8080 -e DROPCAST_DEMO=true dropcast
# See docs/operations.md.

# ---------------------------------------------------------------- build
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# The wrapper and POMs first, so the Maven download layer is reused while only sources change.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY protocol/pom.xml protocol/
COPY server/pom.xml server/
COPY load-tests/pom.xml load-tests/
COPY protocol/src/ protocol/src/
COPY server/src/ server/src/
# Only the server and what it needs (-pl server -am); tests run in CI, not in the image build.
RUN --mount=type=cache,target=/root/.m2 \
    chmod +x mvnw && ./mvnw -q -B -DskipTests -pl server -am package \
    && cp server/target/dropcast-server.jar /dropcast-server.jar

# ---------------------------------------------------------------- runtime
FROM eclipse-temurin:17-jre
# curl for the HEALTHCHECK (not guaranteed to be in the base image across tags).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 dropcast \
    && useradd --system --uid 10001 --gid dropcast --home-dir /app --shell /usr/sbin/nologin dropcast
WORKDIR /app
COPY --from=build /dropcast-server.jar /app/dropcast-server.jar
# Main reads config/dropcast.properties relative to the working directory; DROPCAST_* env vars win.
COPY config/ /app/config/
USER 10001:10001
ENV DROPCAST_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${DROPCAST_PORT}/health" >/dev/null || exit 1
# Exec form: java is PID 1 and gets SIGTERM from `docker stop`, which runs the graceful shutdown
# (sockets closed with 1001) within shutdown.grace-ms; keep docker's stop timeout above it.
# Extra JVM flags: -e JAVA_TOOL_OPTIONS="...".
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/dropcast-server.jar"]
