package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.replica.City;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Stamp;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class KeptCityTest {
    private static final String ID = "fulcrum-1:7";

    /** Any city, each of its parts present or not, kept and then overwritten by another: read back whole each time. */
    @Property(tries = 500)
    void aKeptCityReadsBackAsTheCityItWasLastGiven(@ForAll long seed) {
        Random random = new Random(seed);
        KeptCity.Origins origins = new KeptCity.Origins();
        City first = randomCity(random);
        KeptCity kept = KeptCity.of(first, origins);
        assertThat(kept).isNotNull();
        assertThat(kept.toCity(origins)).isEqualTo(first);
        for (int i = 0; i < 5; i++) {
            City next = randomCity(random);
            assertThat(kept.overwrite(next, origins)).isTrue();
            assertThat(kept.toCity(origins)).isEqualTo(next);
        }
    }

    @Test
    void aWriteThatKeepsTheNameKeepsTheVeryString() {
        KeptCity.Origins origins = new KeptCity.Origins();
        City added = new City(ID, new Stamp(1, "fulcrum-1"), new Register<>("Mos_Espa", new Stamp(1, "fulcrum-1")),
                new Register<>(5L, new Stamp(1, "fulcrum-1")), null);
        KeptCity kept = KeptCity.of(added, origins);
        City read = kept.toCity(origins);
        City updated = new City(ID, read.createdAt(), read.name(), new Register<>(9L, new Stamp(2, "fulcrum-2")), null);

        assertThat(kept.overwrite(updated, origins)).isTrue();

        assertThat(kept.toCity(origins).name().value()).isSameAs(added.name().value());
        assertThat(kept.toCity(origins).rebels()).isEqualTo(new Register<>(9L, new Stamp(2, "fulcrum-2")));
    }

    @Test
    void anOriginPastTheLastNumberIsNotKeptAndLeavesTheAnswerAsItWas() {
        KeptCity.Origins origins = new KeptCity.Origins();
        City before = city("fulcrum-1", 4);
        KeptCity kept = KeptCity.of(before, origins);
        for (int i = 0; origins.number("origin-" + i) >= 0; i++) {
            assertThat(i).as("numbers are bounded").isLessThan(KeptCity.Origins.MAX);
        }

        assertThat(kept.overwrite(city("one-too-many", 5), origins)).isFalse();
        assertThat(kept.toCity(origins)).as("unchanged").isEqualTo(before);
        assertThat(KeptCity.of(city("one-too-many", 5), origins)).isNull();
    }

    @Test
    void anotherCityIsRefused() {
        KeptCity.Origins origins = new KeptCity.Origins();
        KeptCity kept = KeptCity.of(city("fulcrum-1", 1), origins);
        assertThatThrownBy(() -> kept.overwrite(new City("fulcrum-1:8", null, null, null, null), origins))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fulcrum-1:8");
    }

    private static City city(String origin, long clockSum) {
        Stamp stamp = new Stamp(clockSum, origin);
        return new City(ID, stamp, new Register<>("Mos_Espa", stamp), new Register<>(clockSum, stamp), null);
    }

    private static City randomCity(Random random) {
        return new City(ID, randomStamp(random),
                random.nextBoolean() ? new Register<>("name" + random.nextInt(3), stamp(random)) : null,
                random.nextBoolean() ? new Register<>((long) random.nextInt(1_000), stamp(random)) : null,
                randomStamp(random));
    }

    private static Stamp randomStamp(Random random) {
        return random.nextBoolean() ? stamp(random) : null;
    }

    private static Stamp stamp(Random random) {
        return new Stamp(1 + random.nextInt(1_000_000), "fulcrum-" + (1 + random.nextInt(3)));
    }

    @Test
    void anOriginKeepsItsNumberWhetherFoundByComparingOrThroughTheMap() {
        KeptCity.Origins origins = new KeptCity.Origins();
        int count = 3 * KeptCity.Origins.SCANNED;
        for (int i = 0; i < count; i++) {
            assertThat(origins.number("fulcrum-" + i)).isEqualTo(i);
        }
        for (int i = count - 1; i >= 0; i--) {
            String decodedAfresh = new String(("fulcrum-" + i).toCharArray()); // another instance, as a decoder makes
            assertThat(origins.number(decodedAfresh)).as("fulcrum-" + i).isEqualTo(i);
            assertThat(origins.origin(i)).isEqualTo(decodedAfresh);
        }
    }
}
