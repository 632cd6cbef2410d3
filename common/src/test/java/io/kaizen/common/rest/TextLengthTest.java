package io.kaizen.common.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.validation.Validator;
import jakarta.validation.constraints.Size;

import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.HibernateValidatorConfiguration;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/** Request text is as long as JSON Schema counts it: in characters, not UTF-16 units. */
class TextLengthTest {

    record Named(@Size(min = 1, max = 3) String name, @Size(max = 2) List<String> tags) {
    }

    @Test
    void aCharacterBeyondTheBasicPlaneCountsOnce() {
        assertThat(TextLength.of("𝄞")).isEqualTo(1);
        assertThat("𝄞".length()).isEqualTo(2);
        assertThat(TextLength.of("a😀b")).isEqualTo(3);
        assertThat(TextLength.of("")).isZero();
    }

    @Test
    void sizeOnTextCountsCharactersAndOnAListItsItems() {
        HibernateValidatorConfiguration configuration = jakarta.validation.Validation
                .byProvider(HibernateValidator.class).configure()
                .messageInterpolator(new ParameterMessageInterpolator());
        new TextLength().customize(configuration);
        Validator validator = configuration.buildValidatorFactory().getValidator();

        assertThat(validator.validate(new Named("😀😀😀", List.of("a", "b")))).isEmpty();
        assertThat(validator.validate(new Named("😀😀😀😀", List.of())))
                .extracting(v -> v.getPropertyPath().toString()).containsExactly("name");
        assertThat(validator.validate(new Named("", List.of()))).hasSize(1);
        assertThat(validator.validate(new Named("abc", List.of("a", "b", "c")))).extracting(v -> v.getPropertyPath()
                .toString()).containsExactly("tags");
    }
}
