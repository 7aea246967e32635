package fulcrum.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

/**
 * The key layout's promises, for any names (1..64 characters, no NUL): keys split back into their
 * parts, key order is the parts' order part by part, and no key of one planet or origin falls in
 * another's range, whatever prefixes the names share.
 */
class KeysTest {

    @Property
    void aCityKeySplitsBackIntoItsParts(@ForAll @StringLength(min = 1, max = 64) @CharRange(from = '\u0001', to = '\uD7FF') String planet,
                                        @ForAll @StringLength(min = 1, max = 64) @CharRange(from = '\u0001', to = '\uD7FF') String cityId) {
        assertThat(Keys.parts(Keys.city(planet, cityId), Keys.CITY, 2)).containsExactly(planet, cityId);
        assertThat(Keys.parts(Keys.city(planet, cityId), Keys.CITY, 1)).isNull();
        assertThat(Keys.parts(Keys.city(planet, cityId), Keys.CLOCK, 2)).isNull();
    }

    @Property
    void cityKeysSortByPlanetThenCityAndStayInTheirPlanetsRange(
            @ForAll @StringLength(min = 1, max = 8) @CharRange(from = '\u0001', to = '\u00FF') String p1,
            @ForAll @StringLength(min = 1, max = 8) @CharRange(from = '\u0001', to = '\u00FF') String c1,
            @ForAll @StringLength(min = 1, max = 8) @CharRange(from = '\u0001', to = '\u00FF') String p2,
            @ForAll @StringLength(min = 1, max = 8) @CharRange(from = '\u0001', to = '\u00FF') String c2) {
        int byParts = Integer.signum(utf8Compare(p1, p2) != 0 ? utf8Compare(p1, p2) : utf8Compare(c1, c2));
        assertThat(Integer.signum(Arrays.compareUnsigned(Keys.city(p1, c1), Keys.city(p2, c2)))).isEqualTo(byParts);
        assertThat(Keys.startsWith(Keys.city(p2, c2), Keys.cityPrefix(p1))).isEqualTo(p1.equals(p2));
    }

    @Property
    void opKeysSortBySequenceNumberAndGiveBackTheirOrigin(
            @ForAll @StringLength(min = 1, max = 16) @CharRange(from = '\u0001', to = '\u00FF') String origin,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long a, @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long b) {
        byte[] ka = Keys.op(origin, a);
        assertThat(Integer.signum(Arrays.compareUnsigned(ka, Keys.op(origin, b)))).isEqualTo(Long.compare(a, b));
        assertThat(Keys.opOrigin(ka)).isEqualTo(origin);
        assertThat(Keys.opSeq(ka)).isEqualTo(a);
        assertThat(Keys.startsWith(ka, Keys.opPrefix(origin + "x"))).isFalse();
        assertThat(Arrays.compareUnsigned(ka, Keys.prefixEnd(Keys.opPrefix(origin)))).isNegative();
    }

    @Property
    void noFormatTwoKeyFallsInAFormatOneRange(@ForAll @StringLength(min = 1, max = 16) @CharRange(from = '\u0001', to = '\u00FF') String name) {
        List<byte[]> formatTwo = List.of(Keys.city(name, name), Keys.clock(name), Keys.op(name, 1), Keys.reply(name),
                Keys.command(name), Keys.applied(name), Keys.name(name, name), Keys.REPLICA, Keys.PUBLISHED);
        for (String oldPrefix : List.of("meta/", "planet/", "op/", "dedup/")) {
            byte[] from = Keys.utf8(oldPrefix);
            byte[] to = Keys.prefixEnd(from);
            assertThat(formatTwo).noneMatch(k -> Arrays.compareUnsigned(k, from) >= 0 && Arrays.compareUnsigned(k, to) < 0);
        }
    }

    private static int utf8Compare(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
