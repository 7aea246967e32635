package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessStatsTest {
    @Test
    void threadsAreGroupedByTheNamesTheirRuntimesGiveThem() {
        assertThat(ProcessStats.threadGroup("C2 CompilerThre")).isEqualTo(ProcessStats.JIT);
        assertThat(ProcessStats.threadGroup("C1 CompilerThre")).isEqualTo(ProcessStats.JIT);
        assertThat(ProcessStats.threadGroup("GC Thread#0")).isEqualTo(ProcessStats.GC);
        assertThat(ProcessStats.threadGroup("G1 Conc#0")).isEqualTo(ProcessStats.GC);
        assertThat(ProcessStats.threadGroup("VM Thread")).isEqualTo(ProcessStats.GC);
        assertThat(ProcessStats.threadGroup("rocksdb:low")).isEqualTo(ProcessStats.ROCKSDB);
        assertThat(ProcessStats.threadGroup("AMQP Connectio")).isEqualTo(ProcessStats.AMQP);
        assertThat(ProcessStats.threadGroup("fulcrum-worker-")).isEqualTo(ProcessStats.OTHER);
    }

    @Test
    void thisJvmsThreadsAreReadOnLinuxAndAGoneProcessTellsNothing() {
        Map<String, Double> groups = ProcessStats.cpuSecondsByThreadGroup(ProcessHandle.current().pid());
        if (Files.isDirectory(Path.of("/proc/self/task"))) {
            assertThat(groups).containsOnlyKeys(ProcessStats.JIT, ProcessStats.GC, ProcessStats.ROCKSDB, ProcessStats.AMQP,
                    ProcessStats.OTHER);
            assertThat(groups.values()).allSatisfy(seconds -> assertThat(seconds).isNotNegative());
            assertThat(groups.get(ProcessStats.OTHER)).as("the test's own thread ran").isPositive();
        }
        assertThat(ProcessStats.cpuSecondsByThreadGroup(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void extraJavaOptionsAreSplitAtWhiteSpace() {
        assertThat(BenchCluster.extraJavaOptions(null)).isEmpty();
        assertThat(BenchCluster.extraJavaOptions("  ")).isEmpty();
        assertThat(BenchCluster.extraJavaOptions(" -XX:+UseParallelGC\t-Xlog:gc ")).containsExactly("-XX:+UseParallelGC", "-Xlog:gc");
    }
}
