package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JitActivityTest {
    @Test
    void theBusiestJvmDecidesAndUnreadableOnesAreLeftOut() {
        Map<Long, Double> seconds = new HashMap<>(Map.of(1L, 10.0, 2L, 4.0, 3L, -1.0));
        JitActivity jit = new JitActivity(List.of(1L, 2L, 3L), seconds::get);
        Map<Long, Double> before = jit.read();
        seconds.putAll(Map.of(1L, 10.5, 2L, 6.0)); // in 10 s: 0.05 and 0.2 of a core; pid 3 never readable
        assertThat(JitActivity.busiestCores(before, jit.read(), 10)).isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void nothingReadableTellsNothing() {
        JitActivity jit = new JitActivity(List.of(7L), pid -> -1);
        assertThat(JitActivity.busiestCores(jit.read(), jit.read(), 10)).isNaN();
    }

    @Test
    void thisJvmsCompilersAreReadOnLinux() {
        double seconds = ProcessStats.compilerCpuSeconds(ProcessHandle.current().pid());
        // a JVM that ran this test has compiled something; where /proc is missing the answer is -1
        assertThat(seconds == -1 || seconds >= 0).isTrue();
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            assertThat(seconds).isNotNegative();
        }
    }
}
