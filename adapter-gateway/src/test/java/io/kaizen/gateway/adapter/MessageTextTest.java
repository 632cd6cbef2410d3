package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

class MessageTextTest {

    @Test
    void aTextWithinTheLimitIsOnlyEscaped() {
        assertThat(MessageText.fit("a<b", 10, SlackAdapter::escape)).isEqualTo("a&lt;b");
    }

    @Test
    void aLongerTextIsCutWithAnEllipsisWithinTheLimit() {
        String fitted = MessageText.fit("x".repeat(100), 10);

        assertThat(fitted).isEqualTo("x".repeat(9) + "…").hasSize(10);
    }

    @Test
    void aSurrogatePairIsNeverSplit() {
        // 5 UTF-16 units allow 2 emoji (4 units) and the ellipsis; a third emoji's high surrogate must not be kept
        assertThat(MessageText.fit("😀".repeat(10), 6)).isEqualTo("😀😀…");
        assertThat(MessageText.fit("a" + "😀".repeat(10), 6)).isEqualTo("a😀😀…");
    }

    @Test
    void combiningMarksStayWithTheirLetter() {
        assertThat(MessageText.fit("e\u0301".repeat(5), 6)).isEqualTo("e\u0301e\u0301…");
    }

    @Test
    void anEscapeIsNeverCut() {
        assertThat(MessageText.fit("&".repeat(10), 12, SlackAdapter::escape)).isEqualTo("&amp;&amp;…");
    }

    @Test
    void splitPiecesAreWithinTheLimitBreakAtLineEndsAndLoseNothing() {
        String text = ("line of text " + "w".repeat(20) + "\n").repeat(30);

        List<String> pieces = MessageText.split(text, 100, 50, UnaryOperator.identity());

        assertThat(pieces).allSatisfy(piece -> assertThat(piece.length()).isLessThanOrEqualTo(100));
        assertThat(pieces).allSatisfy(piece -> assertThat(piece).endsWith("\n"));
        assertThat(String.join("", pieces)).isEqualTo(text);
    }

    @Test
    void splitEndsTheLastAllowedPieceWithAnEllipsis() {
        List<String> pieces = MessageText.split("y".repeat(1000), 100, 3, UnaryOperator.identity());

        assertThat(pieces).containsExactly("y".repeat(100), "y".repeat(100), "y".repeat(99) + "…");
    }

    @Test
    void splitLeavesOutBlankPieces() {
        assertThat(MessageText.split(" ".repeat(250) + "z", 100, 10, UnaryOperator.identity()))
                .allSatisfy(piece -> assertThat(piece).isNotBlank()).last().asString().endsWith("z");
    }

    @Test
    void aShortenedTextEndsWithAnEllipsisAndNeverHalfACharacter() {
        assertThat(MessageText.fit("abcdef", 6)).isEqualTo("abcdef");
        assertThat(MessageText.fit("abcdefg", 6)).isEqualTo("abcde…");
        // "a😀😀" in 3: the prefix of 2 would end between the halves of the first emoji
        assertThat(MessageText.fit("a😀😀", 3)).isEqualTo("a…");
        assertThat(MessageText.prefix("a😀😀", 4)).isEqualTo("a😀");
        assertThat(MessageText.prefix("😀", 1)).isEmpty();
    }

    @Test
    void piecesKeepEveryCharacterWholeAndShortenOnlyTheLast() {
        assertThat(MessageText.pieces("a😀b😀", 2, 10)).containsExactly("a", "😀", "b", "😀");
        assertThat(MessageText.pieces("abcdefgh", 3, 2)).containsExactly("abc", "de…");
        assertThat(MessageText.pieces("", 3, 2)).isEmpty();
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharacters() {
        assertThat(MessageText.wellFormed("a\uD83Db\uDE00c😀")).isEqualTo("a\uFFFDb\uFFFDc😀");
        assertThat(MessageText.wellFormed("ends high \uD83D")).isEqualTo("ends high \uFFFD");
        String clean = "already fine 😀";
        assertThat(MessageText.wellFormed(clean)).isSameAs(clean);
    }
}
