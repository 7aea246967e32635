package fulcrum.common.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationContext;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Stamp;
import fulcrum.core.store.CityEntry;
import java.io.IOException;

/**
 * The JSON of a city's state, as stored and as a snapshot page carries it: the city with its
 * planet, its registers (a name, a count) and the stamps that order their writes. Fields in the
 * records' component order, unset ones left out, as databind wrote them.
 */
final class CityJson {
    private static final SerializedString CLOCK_SUM = new SerializedString("clockSum");
    private static final SerializedString ORIGIN = new SerializedString("origin");
    private static final SerializedString VALUE = new SerializedString("value");
    private static final SerializedString STAMP = new SerializedString("stamp");
    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString CREATED_AT = new SerializedString("createdAt");
    private static final SerializedString NAME = new SerializedString("name");
    private static final SerializedString REBELS = new SerializedString("rebels");
    private static final SerializedString DELETED_AT = new SerializedString("deletedAt");
    private static final SerializedString PLANET = new SerializedString("planet");
    private static final SerializedString CITY = new SerializedString("city");

    private static final RecordFields STAMP_FIELDS = RecordFields.of(Stamp.class, CLOCK_SUM, ORIGIN).withPrimitives(CLOCK_SUM);
    private static final RecordFields REGISTER_FIELDS = RecordFields.of(Register.class, VALUE, STAMP);
    private static final RecordFields CITY_FIELDS = RecordFields.of(City.class, ID, CREATED_AT, NAME, REBELS, DELETED_AT);
    private static final RecordFields ENTRY_FIELDS = RecordFields.of(CityEntry.class, PLANET, CITY);

    private CityJson() {
    }

    static void write(Stamp stamp, JsonGenerator gen) throws IOException {
        gen.writeStartObject(stamp);
        FieldWriter.number(gen, CLOCK_SUM, stamp.clockSum());
        FieldWriter.text(gen, ORIGIN, stamp.origin());
        gen.writeEndObject();
    }

    static Stamp readStamp(JsonParser parser, DeserializationContext ctx) throws IOException {
        return STAMP_FIELDS.read(parser, ctx, in -> {
            long clockSum = 0;
            String origin = null;
            for (String field = in.next(); field != null; field = in.next()) {
                switch (field) {
                    case "clockSum" -> clockSum = in.number();
                    case "origin" -> origin = in.text();
                    default -> throw new AssertionError(field);
                }
            }
            return new Stamp(clockSum, origin);
        });
    }

    static void write(City city, JsonGenerator gen) throws IOException {
        gen.writeStartObject(city);
        FieldWriter.text(gen, ID, city.id());
        FieldWriter.optional(gen, CREATED_AT, city.createdAt(), CityJson::write);
        FieldWriter.optional(gen, NAME, city.name(), CityJson::writeRegister);
        FieldWriter.optional(gen, REBELS, city.rebels(), CityJson::writeRegister);
        FieldWriter.optional(gen, DELETED_AT, city.deletedAt(), CityJson::write);
        gen.writeEndObject();
    }

    private static void writeRegister(Register<?> register, JsonGenerator gen) throws IOException {
        gen.writeStartObject(register);
        // a name's register holds a text, a count's a Long: written by the value's class, as databind did
        if (register.value() instanceof Long count) {
            FieldWriter.number(gen, VALUE, count);
        } else {
            FieldWriter.text(gen, VALUE, (String) register.value());
        }
        FieldWriter.value(gen, STAMP, register.stamp(), CityJson::write);
        gen.writeEndObject();
    }

    static City readCity(JsonParser parser, DeserializationContext ctx) throws IOException {
        return CITY_FIELDS.read(parser, ctx, in -> {
            String id = null;
            Stamp createdAt = null;
            Register<String> name = null;
            Register<Long> rebels = null;
            Stamp deletedAt = null;
            for (String field = in.next(); field != null; field = in.next()) {
                switch (field) {
                    case "id" -> id = in.text();
                    case "createdAt" -> createdAt = in.value(CityJson::readStamp);
                    case "name" -> name = in.value((p, c) -> readRegister(p, c, RecordFields.Cursor::text));
                    case "rebels" -> rebels = in.value((p, c) -> readRegister(p, c, RecordFields.Cursor::optionalNumber));
                    case "deletedAt" -> deletedAt = in.value(CityJson::readStamp);
                    default -> throw new AssertionError(field);
                }
            }
            return new City(id, createdAt, name, rebels, deletedAt);
        });
    }

    /** Reads a register's value: a text for a name, a whole number for a count. */
    @FunctionalInterface
    private interface RegisterValue<T> {
        T read(RecordFields.Cursor in) throws IOException;
    }

    private static <T> Register<T> readRegister(JsonParser parser, DeserializationContext ctx, RegisterValue<T> valueOf)
            throws IOException {
        return REGISTER_FIELDS.read(parser, ctx, in -> {
            T value = null;
            Stamp stamp = null;
            for (String field = in.next(); field != null; field = in.next()) {
                switch (field) {
                    case "value" -> value = valueOf.read(in);
                    case "stamp" -> stamp = in.value(CityJson::readStamp);
                    default -> throw new AssertionError(field);
                }
            }
            return new Register<>(value, stamp);
        });
    }

    static void write(CityEntry entry, JsonGenerator gen) throws IOException {
        gen.writeStartObject(entry);
        FieldWriter.text(gen, PLANET, entry.planet());
        FieldWriter.value(gen, CITY, entry.city(), CityJson::write);
        gen.writeEndObject();
    }

    static CityEntry readEntry(JsonParser parser, DeserializationContext ctx) throws IOException {
        return ENTRY_FIELDS.read(parser, ctx, in -> {
            String planet = null;
            City city = null;
            for (String field = in.next(); field != null; field = in.next()) {
                switch (field) {
                    case "planet" -> planet = in.text();
                    case "city" -> city = in.value(CityJson::readCity);
                    default -> throw new AssertionError(field);
                }
            }
            return new CityEntry(planet, city);
        });
    }
}
