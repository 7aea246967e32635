package fulcrum.common.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PublishConfirmsTest {
    /** A publish: its name, and its batch id when it is a batch. */
    private record Publish(String name, String batchId) {
    }

    private final PublishConfirms<Publish> confirms = new PublishConfirms<>(Publish::batchId);
    private final Publish route = new Publish("route request", null);
    private final Publish batch = new Publish("batch", "b-1");
    private final Publish write = new Publish("write", null);

    @Test
    void aMultipleConfirmSettlesEveryPublishUpToItsNumberAndNoMore() {
        confirms.track(1, route);
        confirms.track(2, batch);
        confirms.track(3, write);
        assertThat(confirms.settle(2, true)).containsExactly(route, batch);
        assertThat(confirms.batch("b-1")).as("a confirmed batch is no longer found").isNull();
        assertThat(confirms.settle(2, true)).isEmpty();
        assertThat(confirms.settle(3, false)).containsExactly(write);
    }

    @Test
    void aSingleConfirmSettlesOnlyItsOwnPublish() {
        confirms.track(1, route);
        confirms.track(2, batch);
        assertThat(confirms.settle(2, false)).containsExactly(batch);
        assertThat(confirms.settle(1, false)).containsExactly(route);
    }

    @Test
    void aReturnFindsItsBatchUntilItIsConfirmedUntrackedOrCleared() {
        confirms.track(5, batch);
        assertThat(confirms.batch("b-1")).isEqualTo(batch);
        assertThat(confirms.batch(null)).isNull();
        confirms.untrack(5);
        assertThat(confirms.batch("b-1")).isNull();
        assertThat(confirms.settle(5, false)).isEmpty();
        confirms.track(6, batch);
        confirms.clear();
        assertThat(confirms.batch("b-1")).isNull();
        assertThat(confirms.settle(Long.MAX_VALUE, true)).isEmpty();
    }
}
