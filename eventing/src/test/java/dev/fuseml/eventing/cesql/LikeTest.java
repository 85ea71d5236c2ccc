package dev.fuseml.eventing.cesql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** LIKE beyond the TCK: the cases a greedy matcher gets wrong, and patterns built to make a matcher backtrack. */
class LikeTest {
    @ParameterizedTest(name = "''{0}'' LIKE ''{1}'' is {2}")
    @CsvSource(delimiter = '|', value = {
            "abc|abc|true", "abc|a%|true", "abc|%c|true", "abc|%b%|true", "abc|a_c|true", "abc|___|true",
            "abc|____|false", "abc|ab|false", "|%|true", "|_|false", "aXbXc|a%b%c|true", "abcbc|a%bc|true",
            "abcbd|a%bc|false", "mississippi|m%iss%ppi|true", "mississippi|m%iss%pp|false", "a%b|a\\%b|true",
            "axb|a\\%b|false", "a_b|a\\_b|true", "axb|a\\_b|false", "aaa|%%a%%|true", "ab|a%%%b|true"})
    void matchesAsSqlLikeDoes(String value, String pattern, boolean expected) {
        assertThat(Like.matches(value == null ? "" : value, pattern)).isEqualTo(expected);
    }

    @Test
    void aPatternWithManyWildcardsDoesNotBacktrackExponentially() {
        String subject = "a".repeat(60);
        String pattern = "%a%a%a%a%a%a%a%a%a%a%a%a%b";
        long started = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {
            assertThat(Like.matches(subject, pattern)).isFalse();
        }
        // 2.2 s for one event before; a thousand now take milliseconds. The bound is loose on purpose (shared
        // machine): what it rules out is exponential work.
        assertThat(System.nanoTime() - started).isLessThan(2_000_000_000L);
    }
}
