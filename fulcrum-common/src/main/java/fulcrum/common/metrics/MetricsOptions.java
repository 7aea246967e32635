package fulcrum.common.metrics;

import picocli.CommandLine.Option;

/**
 * The daemons' metrics options (a picocli mixin). Their defaults come from the environment too, so a
 * deployment (compose.yaml) sets them beside the rest of a container's settings.
 */
public final class MetricsOptions {
    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "${env:FULCRUM_METRICS_PORT:-0}",
            description = "HTTP port of /metrics (Prometheus) and /health; 0: any free port, logged at start; -1: no "
                    + "endpoint (default: $FULCRUM_METRICS_PORT, else 0)")
    public int port;

    @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = "${env:FULCRUM_METRICS_HOST:-127.0.0.1}",
            description = "address the endpoint binds: 0.0.0.0 for a scraper on another host (default: "
                    + "$FULCRUM_METRICS_HOST, else 127.0.0.1)")
    public String host;
}
