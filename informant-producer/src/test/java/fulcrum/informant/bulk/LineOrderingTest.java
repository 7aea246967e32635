package fulcrum.informant.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LineOrderingTest {
    private final LineOrdering ordering = new LineOrdering();
    private final Set<Integer> settled = new HashSet<>();

    private java.util.List<Integer> waits(int index, Command command, boolean planetKnown) {
        return ordering.predecessors(index, command, planetKnown, settled::contains);
    }

    @Test
    void linesOnOtherCitiesOfAKnownPlanetGoInParallel() {
        assertThat(waits(0, Command.addCity("Hoth", "A", 1), true)).isEmpty();
        assertThat(waits(1, Command.addCity("Hoth", "B", 1), true)).isEmpty();
        assertThat(waits(2, Command.addCity("Endor", "A", 1), true)).isEmpty();
    }

    @Test
    void aLineWaitsForTheLastEarlierLineOnItsCity() {
        waits(0, Command.addCity("Hoth", "A", 1), true);
        waits(1, Command.addCity("Hoth", "B", 1), true);
        assertThat(waits(2, Command.updateNumber("Hoth", "A", 2), true)).containsExactly(0);
        assertThat(waits(3, Command.deleteCity("Hoth", "A"), true)).containsExactly(2);
    }

    @Test
    void aRenameWaitsForBothNamesAndTheNewNameWaitsForIt() {
        waits(0, Command.addCity("Hoth", "A", 1), true);
        waits(1, Command.addCity("Hoth", "B", 1), true);
        assertThat(waits(2, Command.updateName("Hoth", "A", "B"), true)).containsExactly(0, 1);
        assertThat(waits(3, Command.updateNumber("Hoth", "B", 5), true)).containsExactly(2);
        assertThat(waits(4, Command.addCity("Hoth", "A", 1), true)).containsExactly(2);
    }

    @Test
    void aPlanetWithoutAReplicaInTheSessionIsOpenedByOneLineAlone() {
        assertThat(waits(0, Command.addCity("Hoth", "A", 1), false)).isEmpty();
        assertThat(waits(1, Command.addCity("Hoth", "B", 1), false)).containsExactly(0);
        assertThat(waits(2, Command.addCity("Hoth", "C", 1), false)).containsExactly(0);
        assertThat(waits(3, Command.addCity("Endor", "A", 1), false)).as("another planet").isEmpty();
        settled.add(0);
        assertThat(waits(4, Command.addCity("Hoth", "D", 1), true)).as("the session now knows Hoth").isEmpty();
    }

    @Test
    void anOpenerThatSettledWithoutGivingAReplicaHandsOverToTheNextLine() {
        waits(0, Command.addCity("Hoth", "A", 1), false);
        settled.add(0);
        assertThat(waits(1, Command.addCity("Hoth", "B", 1), false)).isEmpty();
        assertThat(waits(2, Command.addCity("Hoth", "C", 1), false)).containsExactly(1);
    }
}
