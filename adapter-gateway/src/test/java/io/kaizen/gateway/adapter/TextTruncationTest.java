package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTruncationTest {

    @Test
    void aShortenedTextEndsWithAnEllipsisAndNeverHalfACharacter() {
        assertThat(TextTruncation.shorten("abcdef", 6)).isEqualTo("abcdef");
        assertThat(TextTruncation.shorten("abcdefg", 6)).isEqualTo("abcde…");
        // "a😀😀" in 3: the prefix of 2 would end between the halves of the first emoji
        assertThat(TextTruncation.shorten("a😀😀", 3)).isEqualTo("a…");
        assertThat(TextTruncation.prefix("a😀😀", 4)).isEqualTo("a😀");
        assertThat(TextTruncation.prefix("😀", 1)).isEmpty();
    }

    @Test
    void piecesKeepEveryCharacterWholeAndShortenOnlyTheLast() {
        assertThat(TextTruncation.pieces("a😀b😀", 2, 10)).containsExactly("a", "😀", "b", "😀");
        assertThat(TextTruncation.pieces("abcdefgh", 3, 2)).containsExactly("abc", "de…");
        assertThat(TextTruncation.pieces("", 3, 2)).isEmpty();
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharacters() {
        assertThat(TextTruncation.wellFormed("a\uD83Db\uDE00c😀")).isEqualTo("a\uFFFDb\uFFFDc😀");
        assertThat(TextTruncation.wellFormed("ends high \uD83D")).isEqualTo("ends high \uFFFD");
        String clean = "already fine 😀";
        assertThat(TextTruncation.wellFormed(clean)).isSameAs(clean);
    }
}
