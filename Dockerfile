# syntax=docker/dockerfile:1
# One image for every Fulcrum process. FULCRUM_MODULE picks the jar (broker-router, fulcrum-worker,
# informant-producer, leia-consumer, fulcrum-admin; fulcrum-chaos is in it too, but a chaos run
# starts a RabbitMQ node of its own and the image has no rabbitmq-server); the container's command
# is its arguments.
#   docker build -t fulcrum:local .
#   docker run --rm -e FULCRUM_MODULE=fulcrum-admin fulcrum:local status --uri amqp://guest:guest@host:5672/%2f
# The build runs the Maven wrapper over every module of the reactor (fulcrum-core, fulcrum-common,
# fulcrum-store, the daemons, the CLIs, ...): a library module such as fulcrum-store has no jar of
# its own here, it is in the lib/ of every module that uses it (worker, admin, chaos).

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# Every runnable module (marked by src/main/resources/runnable.marker) gets target/<module>.jar and
# target/lib/; they are gathered under /out/<module>/ so the manifest's lib/ class path still holds.
# Tests are neither compiled nor run here (./mvnw verify runs them, against a RabbitMQ node of its own).
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -Dmaven.test.skip=true package \
 && mkdir -p /out \
 && for marker in */src/main/resources/runnable.marker; do \
      module="${marker%%/*}"; \
      mkdir -p "/out/$module"; \
      cp "$module/target/$module.jar" "/out/$module/"; \
      cp -r "$module/target/lib" "/out/$module/lib"; \
    done

FROM eclipse-temurin:17-jre
RUN groupadd --system fulcrum \
 && useradd --system --gid fulcrum --home-dir /app --shell /usr/sbin/nologin fulcrum \
 && mkdir -p /data \
 && chown fulcrum:fulcrum /data
COPY --from=build /out/ /app/
USER fulcrum
WORKDIR /app
# A worker's RocksDB directory; mount a volume here (one per replica).
VOLUME /data
ENV FULCRUM_MODULE=fulcrum-worker \
    JAVA_OPTS=""
# exec: java is PID 1's direct replacement, so `docker stop` (SIGTERM) reaches it and it shuts down cleanly.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar \"/app/$FULCRUM_MODULE/$FULCRUM_MODULE.jar\" \"$@\"", "fulcrum"]
