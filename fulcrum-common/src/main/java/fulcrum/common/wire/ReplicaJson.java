package fulcrum.common.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Stamp;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.PlanetClock;
import java.io.IOException;

/**
 * The hand-written codecs of the values a replica stores and ships most, as a module of
 * {@link FulcrumJson}'s mapper. Databind's reflection and its generic map reading were half of a
 * replica worker's time in a merge; these write the same canonical bytes straight to the generator
 * and read the parser's tokens into the records' canonical constructors, so every user of the
 * mapper (stored values, deltas, snapshot pages) gets them unchanged.
 * {@code CanonicalBytesTest} holds them to databind's bytes, {@code ReplicaJsonStrictnessTest} to
 * its refusals.
 */
final class ReplicaJson {
    private ReplicaJson() {
    }

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("fulcrum-replica-values");
        add(module, VectorClock.class, ClockJson::write, ClockJson::read);
        add(module, PlanetClock.class, ClockJson::write, ClockJson::readPlanetClock);
        add(module, Operation.class, OperationJson::write, OperationJson::readOperation);
        add(module, CommandRecord.class, OperationJson::write, OperationJson::readCommandRecord);
        add(module, Stamp.class, CityJson::write, CityJson::readStamp);
        add(module, City.class, CityJson::write, CityJson::readCity);
        add(module, CityEntry.class, CityJson::write, CityJson::readEntry);
        return module;
    }

    private static <T> void add(SimpleModule module, Class<T> type, FieldWriter.ValueWriter<T> writer,
                                RecordFields.ValueReader<T> reader) {
        module.addSerializer(type, new StdSerializer<T>(type) {
            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                writer.write(value, gen);
            }
        });
        module.addDeserializer(type, new StdDeserializer<T>(type) {
            @Override
            public T deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
                return reader.read(parser, ctx);
            }

            @Override
            public boolean isCachable() {
                return true; // stateless
            }
        });
    }
}
