package fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.admin.StatusCommandTest.Run;
import org.junit.jupiter.api.Test;

/** dump and export accept the command lines ./fulcrum gives them and say they are not written yet. */
class PlaceholderCommandsTest {
    @Test
    void dumpIsNotImplementedYet() {
        Run run = StatusCommandTest.admin("dump", "--data-dir", "/nonexistent/fulcrum-1", "--replicas", "3");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("fulcrum-admin: dump is not implemented yet");
    }

    @Test
    void exportIsNotImplementedYet() {
        Run run = StatusCommandTest.admin("export", "--dir", "/tmp/out", "--data-dir", "/nonexistent/fulcrum-2",
                "--replica", "fulcrum-2", "--replicas", "3");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("fulcrum-admin: export is not implemented yet");
    }
}
