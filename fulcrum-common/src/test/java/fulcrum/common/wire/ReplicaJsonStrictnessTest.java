package fulcrum.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Stamp;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.PlanetClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hand-written readers ({@link ReplicaJson}) refuse all that databind refused
 * ({@link DatabindReference}), and where they refuse more, it is input the canonical writer never
 * writes. Inputs are written with {@code '} for {@code "}.
 */
class ReplicaJsonStrictnessTest {
    private static final String OP = "{'origin':'o','incarnation':1,'originSeq':1,'planet':'p','kind':'AddCity',"
            + "'cityId':'o:1','name':'n','rebels':5,'clock':{'o':1},'commandId':'c'}";
    private static final String STAMP = "{'clockSum':1,'origin':'o'}";
    private static final String CITY = "{'id':'c','createdAt':" + STAMP + ",'name':{'value':'n','stamp':" + STAMP
            + "},'rebels':{'value':5,'stamp':" + STAMP + "}}";
    private static final String RECORD = "{'commandId':'c','origin':'o','originSeq':1,'planet':'p','kind':'Refusal','clock':{}}";

    @Test
    void theHandWrittenCodecsAreTheMappersOwn() throws IOException {
        for (Class<?> type : List.of(Operation.class, VectorClock.class, Stamp.class, City.class, CityEntry.class,
                PlanetClock.class, CommandRecord.class)) {
            assertThat(FulcrumJson.MAPPER.getSerializerProviderInstance().findValueSerializer(type).getClass()
                    .getEnclosingClass()).as(type.getSimpleName()).isEqualTo(ReplicaJson.class);
        }
    }

    /** Refused before as now: the record's own checks, and what no reading of the type allows. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "Operation | unknown field         | " + OP + "                                  | 'c'}@'c','x':1}",
            "Operation | originSeq 0           | " + OP + "                                  | 'originSeq':1@'originSeq':0",
            "Operation | incarnation 0         | " + OP + "                                  | 'incarnation':1@'incarnation':0",
            "Operation | missing primitive     | " + OP + "                                  | 'originSeq':1,@",
            "Operation | null primitive        | " + OP + "                                  | 'originSeq':1@'originSeq':null",
            "Operation | missing required text | " + OP + "                                  | 'planet':'p',@",
            "Operation | missing clock         | " + OP + "                                  | 'clock':{'o':1},@",
            "Operation | null clock            | " + OP + "                                  | {'o':1}@null",
            "Operation | fields unlike kind    | " + OP + "                                  | 'AddCity'@'DeleteCity'",
            "Operation | refusal with a city   | " + OP + "                                  | 'AddCity','cityId':'o:1','name':'n','rebels':5@'Refusal','cityId':'o:1'",
            "Operation | unknown kind          | " + OP + "                                  | 'AddCity'@'addCity'",
            "Operation | object for text       | " + OP + "                                  | 'name':'n'@'name':{}",
            "Operation | boolean for number    | " + OP + "                                  | 'rebels':5@'rebels':true",
            "Operation | number beyond long    | " + OP + "                                  | 'rebels':5@'rebels':9223372036854775808",
            "Operation | array, not object     | " + OP + "                                  | {'origin'@[{'origin'",
            "Operation | a text, not object    | " + OP + "                                  | @''",
            "Operation | no closing brace      | " + OP + "                                  | 'c'}@'c'",
            "Operation | empty object          | " + OP + "                                  | @{}",
            "Operation | field twice, at the end | " + OP + "                                | 'commandId':'c'@'commandId':'c','origin':'z'",
            "Operation | deeply nested junk    | " + OP + "                                  | 'name':'n'@'name':DEEP",
            "Operation | junk in unknown field | " + OP + "                                  | 'name':'n'@'name':'n','junk':DEEP",
            "VectorClock | negative count      | {'a':1}                                     | 1@-1",
            "VectorClock | null count          | {'a':1}                                     | 1@null",
            "VectorClock | array count         | {'a':1}                                     | 1@[1]",
            "VectorClock | count beyond long    | {'a':1}                                    | 1@9223372036854775808",
            "VectorClock | array, not object   | {'a':1}                                     | {'a':1}@[1]",
            "VectorClock | deeply nested junk  | {'a':1}                                     | 1@DEEP",
            "Stamp       | clock sum 0         | " + STAMP + "                               | 1@0",
            "Stamp       | missing clock sum   | " + STAMP + "                               | 'clockSum':1,@",
            "Stamp       | missing origin      | " + STAMP + "                               | ,'origin':'o'@",
            "City        | missing id          | " + CITY + "                                | 'id':'c',@",
            "City        | unknown isLive      | " + CITY + "                                | 'id':'c'@'id':'c','isLive':true",
            "City        | register, no value  | " + CITY + "                                | 'value':'n',@",
            "City        | register, null count | " + CITY + "                               | 'value':5@'value':null",
            "City        | register, no stamp  | " + CITY + "                                | 'value':5,'stamp':{'clockSum':1,'origin':'o'}@'value':5",
            "City        | register, bad stamp | " + CITY + "                                | 'value':5,'stamp':{'clockSum':1@'value':5,'stamp':{'clockSum':0",
            "City        | register, extra     | " + CITY + "                                | 'value':'n'@'value':'n','x':1",
            "CityEntry   | null city           | {'planet':'p','city':" + CITY + "}          | 'city':{'id'@'city':null,'x':{'id'",
            "CityEntry   | missing planet      | {'planet':'p','city':" + CITY + "}          | 'planet':'p',@",
            "PlanetClock | missing clock       | {'planet':'p','clock':{}}                   | ,'clock':{}@",
            "PlanetClock | clock as text       | {'planet':'p','clock':{}}                   | {}@'{}'",
            "CommandRecord | missing originSeq | " + RECORD + "                              | 'originSeq':1,@",
            "CommandRecord | originSeq 0       | " + RECORD + "                              | 'originSeq':1@'originSeq':0",
            "CommandRecord | unknown field     | " + RECORD + "                              | 'clock'@'x':0,'clock'",
    })
    void refusedByBoth(String type, String why, String valid, String edit) throws Exception {
        Class<?> cls = Class.forName(type.equals("VectorClock") ? "fulcrum.core.clock.VectorClock"
                : List.of("Operation", "City", "Stamp").contains(type) ? "fulcrum.core.replica." + type : "fulcrum.core.store." + type);
        String json = json(valid);
        assertThat(FulcrumJson.MAPPER.readValue(json, cls)).as("the valid input").isNotNull();
        String broken = edited(json, edit);
        assertThat(catchThrowable(() -> DatabindReference.MAPPER.readValue(broken, cls))).as("databind: " + why).isNotNull();
        assertThat(catchThrowable(() -> FulcrumJson.MAPPER.readValue(broken, cls))).as(why)
                .isInstanceOf(IOException.class);
    }

    /** Accepted by databind by accident, refused now: the canonical writer never writes these. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "Operation   | number as text       | " + OP + "  | 'originSeq':1@'originSeq':'1'",
            "Operation   | fraction for number  | " + OP + "  | 'rebels':5@'rebels':5.7",
            "Operation   | exponent for number  | " + OP + "  | 'rebels':5@'rebels':5e0",
            "Operation   | number for text      | " + OP + "  | 'name':'n'@'name':7",
            "Operation   | kind by its index    | " + OP + "  | 'AddCity'@0",
            "Operation   | field twice at first | " + OP + "  | 'origin':'o',@'origin':'o','origin':'o',",
            "VectorClock | count as text        | {'a':1}     | 1@'1'",
            "VectorClock | fraction count       | {'a':1}     | 1@1.5",
            "VectorClock | replica twice        | {'a':1}     | 1@1,'a':2",
            "City        | count as text        | " + CITY + "| 'value':5@'value':'5'",
            "City        | number for name      | " + CITY + "| 'value':'n'@'value':7",
            "Stamp       | field twice          | " + STAMP + "| 1,@1,'clockSum':2,",
    })
    void refusedNowAcceptedBefore(String type, String why, String valid, String edit) throws Exception {
        Class<?> cls = type.equals("VectorClock") ? VectorClock.class
                : type.equals("City") ? City.class : type.equals("Stamp") ? Stamp.class : Operation.class;
        String broken = edited(json(valid), edit);
        assertThat(DatabindReference.MAPPER.readValue(broken, cls)).as("databind: " + why).isNotNull();
        assertThatThrownBy(() -> FulcrumJson.MAPPER.readValue(broken, cls)).as(why).isInstanceOf(IOException.class);
    }

    /** Accepted as before: explicit nulls where a component may be null, any order, trailing input. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "Operation | null optional fields   | {'origin':'o','incarnation':1,'originSeq':1,'planet':'p','kind':'Refusal','cityId':null,'name':null,'rebels':null,'clock':{'o':1},'commandId':'c'}",
            "Operation | another order          | {'commandId':'c','clock':{'b':2,'a':1},'kind':'DeleteCity','cityId':'o:1','planet':'p','originSeq':1,'incarnation':1,'origin':'o'}",
            "Operation | spaces and new lines   | { 'origin' : 'o' ,  'incarnation' : 1 , 'originSeq' : 1 , 'planet' : 'p' , 'kind' : 'UpdateNumber' , 'cityId' : 'o:1' , 'rebels' : -3 , 'clock' : { } , 'commandId' : 'c' }",
            "Operation | trailing input ignored | " + OP + " trailing",
            "City      | null optional fields   | {'id':'c','createdAt':null,'name':null,'rebels':null,'deletedAt':null}",
            "City      | only an id             | {'id':'c'}",
            "VectorClock | explicit zero        | {'b':0,'a':3}",
    })
    void acceptedByBoth(String type, String why, String input) throws Exception {
        Class<?> cls = type.equals("VectorClock") ? VectorClock.class : type.equals("City") ? City.class : Operation.class;
        String json = json(input);
        Object expected = DatabindReference.MAPPER.readValue(json, cls);
        Object read = FulcrumJson.MAPPER.readValue(json, cls);
        assertThat(read).as(why).isEqualTo(expected);
        assertThat(FulcrumJson.write(read)).as(why).isEqualTo(FulcrumJson.write(expected));
    }

    @Test
    void aNullDocumentIsNullAsBefore() throws IOException {
        assertThat(FulcrumJson.MAPPER.readValue("null", Operation.class)).isNull();
        assertThat(FulcrumJson.MAPPER.readValue("null", CityEntry.class)).isNull();
    }

    /** A reader told to ignore unknown fields skips them, as databind does; none of the project's does. */
    @Test
    void unknownFieldsAreSkippedWhereTheReaderSaysSo() throws IOException {
        String json = json(OP.replace("'name':'n'", "'name':'n','extra':{'a':[1,{'b':null}]}"));
        Operation read = FulcrumJson.MAPPER.readerFor(Operation.class)
                .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(json);
        assertThat(read).isEqualTo(FulcrumJson.MAPPER.readValue(json(OP), Operation.class));
    }

    /** What the chaos suite expects a replica to answer to an entry of incarnation 0. */
    @Test
    void aRefusedRecordNamesTheRecordsReasonOnItsFirstLine() {
        String delta = "{\"origin\":\"o\",\"operations\":[" + json(OP).replace("\"incarnation\":1", "\"incarnation\":0") + "]}";
        assertThatThrownBy(() -> PeerCodec.decode(Delta.TYPE, delta.getBytes(StandardCharsets.UTF_8), PeerCodec.MAX_MERGE_BODY_BYTES))
                .isInstanceOf(PeerCodec.UndecodableException.class)
                .hasMessageMatching("^invalid MergeDelta: .*incarnation is positive, got 0");
    }

    /**
     * Random edits of canonical values (a character dropped, swapped or repeated, a token put in):
     * whatever the hand-written readers accept, databind accepted too, as the same value; whatever
     * they refuse, they refuse with a Jackson exception, never another.
     */
    @Test
    void editedValuesAreAcceptedOnlyWhereDatabindAcceptedThem() throws IOException {
        ReplicaSamples samples = new ReplicaSamples(6);
        Random random = new Random(7);
        List<Supplier<Object>> values = List.of(samples::operation, samples::clock, samples::stamp, samples::city,
                samples::cityEntry, samples::planetClock, samples::commandRecord,
                () -> new Delta(samples.text(), samples.listOf(samples::operation)));
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            Object value = values.get(i % values.size()).get();
            String broken = randomEdit(FulcrumJson.writeString(value), random);
            Object read;
            try {
                read = FulcrumJson.MAPPER.readValue(broken, value.getClass());
            } catch (IOException refused) {
                continue;
            }
            accepted++;
            Object before = DatabindReference.MAPPER.readValue(broken, value.getClass());
            assertThat(FulcrumJson.writeString(read)).as(broken).isEqualTo(FulcrumJson.writeString(before));
        }
        assertThat(accepted).as("some edits keep the value valid (a space, a changed letter)").isPositive();
    }

    private static final String[] TOKENS = {"null", "0", "-1", "1.5", "1e3", "\"5\"", "true", "[]", "{}", "\"x\":1,",
            "99999999999999999999", ",", ":", "\"", " "};

    private static String randomEdit(String json, Random random) {
        int at = random.nextInt(json.length());
        StringBuilder sb = new StringBuilder(json);
        switch (random.nextInt(4)) {
            case 0 -> sb.deleteCharAt(at);
            case 1 -> sb.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
            case 2 -> {
                int to = Math.min(json.length(), at + 1 + random.nextInt(12));
                sb.replace(at, to, TOKENS[random.nextInt(TOKENS.length)]);
            }
            default -> {
                int to = Math.min(json.length(), at + 1 + random.nextInt(30));
                sb.insert(to, json, at, to);
            }
        }
        return sb.toString();
    }

    /** The edit {@code from@to}: replaces the first {@code from}; an empty {@code from} replaces all. */
    private static String edited(String json, String edit) {
        String[] parts = json(edit).split("@", -1);
        String to = parts[1].replace("DEEP", "[".repeat(100_000) + "]".repeat(100_000));
        if (parts[0].isEmpty()) {
            return to.isEmpty() ? json : to;
        }
        assertThat(json).contains(parts[0]);
        return json.replaceFirst(java.util.regex.Pattern.quote(parts[0]), java.util.regex.Matcher.quoteReplacement(to));
    }

    private static String json(String quoted) {
        return quoted.trim().replace('\'', '"');
    }
}
