package fulcrum.common.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which batches' publications are confirmed, pending or failed, from the broker's confirms as they come. */
class ConfirmTrackerTest {
    private final AtomicInteger wakeUps = new AtomicInteger();
    private final ConfirmTracker tracker = new ConfirmTracker(wakeUps::incrementAndGet);

    private ConfirmTracker.Range published(long first, long last) {
        for (long seq = first; seq <= last; seq++) {
            tracker.publishing(seq);
        }
        return new ConfirmTracker.Range(tracker.epoch(), first, last);
    }

    @Test
    void aBatchIsConfirmedOnceEveryOneOfItsPublicationsIsIncludingByAMultipleAck() {
        ConfirmTracker.Range first = published(1, 3);
        ConfirmTracker.Range second = published(4, 5);
        tracker.handleAck(2, false);
        assertThat(tracker.outcome(first)).isEqualTo(ConfirmTracker.Outcome.PENDING);
        tracker.handleAck(4, true);
        assertThat(tracker.outcome(first)).isEqualTo(ConfirmTracker.Outcome.CONFIRMED);
        assertThat(tracker.outcome(second)).isEqualTo(ConfirmTracker.Outcome.PENDING);
        tracker.handleAck(5, false);
        assertThat(tracker.outcome(second)).isEqualTo(ConfirmTracker.Outcome.CONFIRMED);
        assertThat(wakeUps).as("the loop is woken by every confirm").hasValue(3);
    }

    @Test
    void aNackFailsOnlyTheBatchItFallsIn() {
        ConfirmTracker.Range first = published(1, 2);
        ConfirmTracker.Range second = published(3, 4);
        tracker.handleAck(2, true);
        tracker.handleNack(3, false);
        tracker.handleAck(4, false);
        assertThat(tracker.outcome(first)).isEqualTo(ConfirmTracker.Outcome.CONFIRMED);
        assertThat(tracker.outcome(second)).isEqualTo(ConfirmTracker.Outcome.FAILED);
        tracker.forget(second);
        assertThat(tracker.outcome(second)).as("forgotten once settled").isEqualTo(ConfirmTracker.Outcome.CONFIRMED);
    }

    @Test
    void aChannelThatClosesOrRecoversFailsEveryBatchOfTheOlderEpoch() {
        ConfirmTracker.Range before = published(1, 2);
        tracker.newEpoch();
        assertThat(tracker.outcome(before)).isEqualTo(ConfirmTracker.Outcome.FAILED);
        ConfirmTracker.Range after = published(1, 1); // the new channel numbers from 1 again
        assertThat(tracker.outcome(after)).isEqualTo(ConfirmTracker.Outcome.PENDING);
        tracker.handleAck(1, false);
        assertThat(tracker.outcome(after)).isEqualTo(ConfirmTracker.Outcome.CONFIRMED);
    }

    @Test
    void aBatchThatPublishedNothingIsConfirmedAtOnce() {
        assertThat(tracker.outcome(new ConfirmTracker.Range(tracker.epoch(), 7, 6))).isEqualTo(ConfirmTracker.Outcome.CONFIRMED);
    }

    @Test
    void aBatchRangeRunsFromWhereItStartedToTheLastPublishBeforeItWasTaken() {
        ConfirmTracker.Range start = tracker.start(5);
        assertThat(start.isEmpty()).isTrue();
        tracker.publishing(5);
        tracker.publishing(6);
        ConfirmTracker.Range batch = ConfirmTracker.since(start, 7);
        assertThat(batch).isEqualTo(new ConfirmTracker.Range(tracker.epoch(), 5, 6));
        assertThat(ConfirmTracker.since(tracker.start(7), 7).isEmpty()).as("a batch that published nothing").isTrue();
        tracker.handleAck(6, true);
        assertThat(tracker.outcome(batch)).isEqualTo(ConfirmTracker.Outcome.CONFIRMED);
    }
}
