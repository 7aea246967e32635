package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void rendersAHeaderAndRowsWithCrLf() {
        String csv = Csv.render(List.of("name", "rate"), List.of(List.of("raw", 12.5), List.of("fulcrum", 3L)));
        assertThat(csv).isEqualTo("name,rate\r\nraw,12.500\r\nfulcrum,3\r\n");
    }

    @Test
    void quotesCellsThatHoldSeparatorsOrQuotes() {
        assertThat(Csv.cell("a planet of 10,000 cities")).isEqualTo("\"a planet of 10,000 cities\"");
        assertThat(Csv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(Csv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(Csv.cell("plain")).isEqualTo("plain");
    }

    @Test
    void numbersUseADotWhateverTheLocaleAndNaNIsEmpty() {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertThat(Csv.cell(1234.5)).isEqualTo("1234.500");
        } finally {
            java.util.Locale.setDefault(before);
        }
        assertThat(Csv.cell(Double.NaN)).isEmpty();
        assertThat(Csv.cell(null)).isEmpty();
    }

    @Test
    void aRowOfTheWrongLengthIsRefused() {
        assertThatThrownBy(() -> Csv.render(List.of("a", "b"), List.of(List.of(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 cells under a header of 2");
    }
}
