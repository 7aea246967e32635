package fulcrum.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;

/**
 * How busy the JIT compilers of a set of JVMs are: what tells a warm-up that the code under load
 * is compiled. A worker's code is invoked a few hundred times a second per message kind, so C2
 * reaches it slowly; a load measured while the compilers still work measures the compilers too.
 */
final class JitActivity {
    private final List<Long> pids;
    private final LongToDoubleFunction compilerCpuSeconds;

    /** @param compilerCpuSeconds per pid, the compiler threads' CPU seconds so far, negative when unknown */
    JitActivity(List<Long> pids, LongToDoubleFunction compilerCpuSeconds) {
        this.pids = List.copyOf(pids);
        this.compilerCpuSeconds = compilerCpuSeconds;
    }

    /** The cluster's JVMs (router and workers) and this one, which runs the clients. */
    static JitActivity of(BenchCluster cluster) {
        return new JitActivity(List.of(cluster.pid("mos-eisley"), cluster.pid("fulcrum-1"), cluster.pid("fulcrum-2"),
                cluster.pid("fulcrum-3"), ProcessHandle.current().pid()), ProcessStats::compilerCpuSeconds);
    }

    /** Per pid, the compiler threads' CPU seconds so far. */
    Map<Long, Double> read() {
        Map<Long, Double> m = new LinkedHashMap<>();
        for (long pid : pids) {
            m.put(pid, compilerCpuSeconds.applyAsDouble(pid));
        }
        return m;
    }

    /**
     * The largest share of a core any one JVM's compilers used between two readings {@code seconds}
     * apart; NaN when no JVM could be read both times (then nothing tells when the code is compiled).
     */
    static double busiestCores(Map<Long, Double> before, Map<Long, Double> after, double seconds) {
        double busiest = Double.NaN;
        for (Map.Entry<Long, Double> e : after.entrySet()) {
            Double b = before.get(e.getKey());
            if (b == null || b < 0 || e.getValue() < 0 || seconds <= 0) {
                continue;
            }
            double cores = (e.getValue() - b) / seconds;
            busiest = Double.isNaN(busiest) ? cores : Math.max(busiest, cores);
        }
        return busiest;
    }
}
