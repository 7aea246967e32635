package fulcrum.common.metrics;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.List;

/**
 * The metrics edge of a daemon: one Prometheus registry, tagged with the component (and replica),
 * with the JVM's meters bound, and its HTTP endpoint. The daemon's own code records through its
 * small metrics interface; only this class and the adapters behind those interfaces see Micrometer.
 */
public final class DaemonMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final MetricsEndpoint endpoint;
    private final JvmGcMetrics gc;

    private DaemonMetrics(PrometheusMeterRegistry registry, MetricsEndpoint endpoint, JvmGcMetrics gc) {
        this.registry = registry;
        this.endpoint = endpoint;
        this.gc = gc;
    }

    /**
     * A registry with {@code commonTags} on every meter and the JVM's meters, served at
     * {@code host:port} (port 0: any free one) when {@code port >= 0}; {@code port < 0}: no endpoint.
     */
    public static DaemonMetrics start(String component, List<Tag> commonTags, String host, int port, Health health)
            throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(commonTags);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        MetricsEndpoint endpoint = port < 0 ? null : MetricsEndpoint.start(host, port, component, registry, health);
        return new DaemonMetrics(registry, endpoint, gc);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** {@code http://host:port} of the endpoint, or null when it was not started. */
    public String baseUrl() {
        return endpoint == null ? null : endpoint.baseUrl().toString();
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        gc.close();
        registry.close();
    }
}
