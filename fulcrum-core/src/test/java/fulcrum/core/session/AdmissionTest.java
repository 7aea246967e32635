package fulcrum.core.session;

import static fulcrum.core.session.SessionStateTest.clock;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final BiFunction<VectorClock, VectorClock, String> NOTATION = (a, b) -> a.asMap().toString();
    private static final Command WRITE = Command.updateNumber("Tatooine", "MosEisley", 5);
    private static final Command QUERY = Command.getNumberRebelds("Tatooine", "MosEisley");

    @Test
    void aWriteHandledBeforeIsAnsweredFromItsRecordEvenIfTheReplicaIsBehindNow() {
        Reply stored = Reply.success(WRITE.kind(), "Tatooine", "MosEisley", "A", clock(1, 0, 0), null);
        assertThat(Admission.decide("A", WRITE, stored, clock(0, 9, 0), clock(1, 0, 0), NOTATION))
                .isEqualTo(new Admission.AnswerStored(stored));
    }

    @Test
    void aWriteTheReplicaCannotServeIsRefusedAndTheRefusalIsRecorded() {
        Admission.Decision d = Admission.decide("A", WRITE, null, clock(0, 2, 0), clock(0, 1, 0), NOTATION);
        assertThat(d).isInstanceOfSatisfying(Admission.Refuse.class, r -> {
            assertThat(r.record()).isTrue();
            assertThat(r.reply().errorCode()).isEqualTo(ErrorCode.STALE);
            assertThat(r.reply().replica()).isEqualTo("A");
            assertThat(r.reply().clock()).isEqualTo(clock(0, 1, 0));
        });
    }

    @Test
    void aQueryIsRefusedButNothingIsRecorded() {
        Admission.Decision d = Admission.decide("A", QUERY, null, clock(0, 2, 0), clock(0, 1, 0), NOTATION);
        assertThat(d).isInstanceOfSatisfying(Admission.Refuse.class, r -> assertThat(r.record()).isFalse());
    }

    @Test
    void aReplicaThatDominatesExecutesAndSoDoesOneWithoutRequirement() {
        assertThat(Admission.decide("A", WRITE, null, clock(0, 2, 0), clock(0, 3, 0), NOTATION))
                .isInstanceOf(Admission.Execute.class);
        assertThat(Admission.decide("A", WRITE, null, null, VectorClock.empty(), NOTATION))
                .isInstanceOf(Admission.Execute.class);
    }
}
