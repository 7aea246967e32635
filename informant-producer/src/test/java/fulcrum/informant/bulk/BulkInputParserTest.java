package fulcrum.informant.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulkInputParserTest {
    private final BulkInputParser parser = new BulkInputParser(EnumSet.of(CommandKind.AddCity, CommandKind.UpdateName,
            CommandKind.UpdateNumber, CommandKind.DeleteCity), "informant");

    @Test
    void theSeedsLogFormatIsReadAsItIs() {
        BulkInputParser.Parsed parsed = parser.parse(List.of(
                "AddCity Tatooine Mos_Espa 5",
                "UpdateName Tatooine Mos_Espa Mos_Eisley",
                "UpdateNumber Tatooine Mos_Eisley 7",
                "DeleteCity Tatooine Mos_Eisley"));
        assertThat(parsed.badLines()).isEmpty();
        assertThat(parsed.commands()).extracting(BulkLine::command).containsExactly(
                Command.addCity("Tatooine", "Mos_Espa", 5),
                Command.updateName("Tatooine", "Mos_Espa", "Mos_Eisley"),
                Command.updateNumber("Tatooine", "Mos_Eisley", 7),
                Command.deleteCity("Tatooine", "Mos_Eisley"));
        assertThat(parsed.commands()).extracting(BulkLine::lineNumber).containsExactly(1, 2, 3, 4);
    }

    @Test
    void blankLinesCommentsTabsAndWindowsLineEndsAreTolerated() {
        BulkInputParser.Parsed parsed = parser.parse(List.of(
                "\uFEFF# exported from fulcrum-1",
                "",
                "   ",
                "  # indented comment",
                "AddCity\tHoth  Echo_Base\r",
                "AddCity Hoth Outpost"));
        assertThat(parsed.badLines()).isEmpty();
        assertThat(parsed.commands()).extracting(BulkLine::lineNumber).containsExactly(5, 6);
        assertThat(parsed.commands().get(0).command()).isEqualTo(Command.addCity("Hoth", "Echo_Base", 0));
        assertThat(parsed.commands().get(1).command()).isEqualTo(Command.addCity("Hoth", "Outpost", 0));
    }

    @Test
    void badLinesAreReportedWithTheirLineNumberAndTheGoodOnesKept() {
        BulkInputParser.Parsed parsed = parser.parse(List.of(
                "AddCity Tatooine Mos_Espa 5",
                "Explode Tatooine Mos_Espa",
                "UpdateNumber Tatooine Mos_Espa",
                "UpdateNumber Tatooine Mos_Espa lots",
                "AddCity Tatooine Anchorhead -3",
                "GetNumberRebelds Tatooine Mos_Espa",
                "DeleteCity Tatooine Mos_Espa"));
        assertThat(parsed.commands()).extracting(BulkLine::lineNumber).containsExactly(1, 7);
        assertThat(parsed.badLines()).extracting(BadLine::lineNumber).containsExactly(2, 3, 4, 5, 6);
        assertThat(parsed.badLines()).extracting(BadLine::code).containsExactly(ErrorCode.UNKNOWN_COMMAND,
                ErrorCode.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT,
                ErrorCode.INVALID_ARGUMENT);
        assertThat(parsed.badLines().get(0).message()).contains("unknown command 'Explode'");
        assertThat(parsed.badLines().get(1).message()).contains("UpdateNumber takes PLANET CITY REBELS, got 2 argument(s)");
        assertThat(parsed.badLines().get(2).message()).contains("rebels must be a non-negative whole number, got 'lots'");
        assertThat(parsed.badLines().get(3).message()).contains("got '-3'");
        assertThat(parsed.badLines().get(4).message()).isEqualTo("informant does not send GetNumberRebelds");
        assertThat(parsed.badLines().get(1).text()).isEqualTo("UpdateNumber Tatooine Mos_Espa");
    }

    @Test
    void namesBreakingTheDomainRulesAreBadLines() {
        BulkInputParser.Parsed parsed = parser.parse(List.of("AddCity Tatooine " + "A".repeat(65) + " 1",
                "AddCity Tatooine Mos_Espa 1 extra"));
        assertThat(parsed.commands()).isEmpty();
        assertThat(parsed.badLines()).extracting(BadLine::lineNumber).containsExactly(1, 2);
        assertThat(parsed.badLines().get(0).message()).contains("city must be at most 64 characters");
        assertThat(parsed.badLines().get(1).message()).contains("AddCity takes PLANET CITY [REBELS], got 4 argument(s)");
    }
}
