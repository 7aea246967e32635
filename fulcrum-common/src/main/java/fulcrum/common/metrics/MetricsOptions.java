package fulcrum.common.metrics;

import picocli.CommandLine.Option;

/** The daemons' metrics options (a picocli mixin). */
public final class MetricsOptions {
    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "0",
            description = "HTTP port of /metrics (Prometheus) and /health; 0 (default): any free port, "
                    + "printed at start; -1: no endpoint")
    public int port;

    @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "address the endpoint binds (default 127.0.0.1; 0.0.0.0 for a scraper on another host)")
    public String host;
}
