package io.kaizen.common.rest;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.constraints.Size;

import org.hibernate.validator.BaseHibernateValidatorConfiguration;
import org.hibernate.validator.cfg.ConstraintMapping;

import io.quarkus.hibernate.validator.ValidatorFactoryCustomizer;
import jakarta.inject.Singleton;

/**
 * The length of request text as the documents count it: JSON Schema's {@code maxLength} and {@code minLength} count
 * characters (code points), where {@code String.length()} counts UTF-16 units, two for a character beyond the Basic
 * Multilingual Plane (an emoji, 𝄞). Every length check of request text uses {@link #of}, and {@code @Size} on a
 * {@code String} counts the same way (this customizer gives it {@link CodePoints}), so a text the documents allow is
 * never refused for its length. PostgreSQL's {@code varchar(n)} counts characters too.
 */
@Singleton
public class TextLength implements ValidatorFactoryCustomizer {

    /** The number of characters (code points) of the text. */
    public static int of(CharSequence text) {
        return Character.codePointCount(text, 0, text.length());
    }

    @Override
    public void customize(BaseHibernateValidatorConfiguration<?> configuration) {
        ConstraintMapping mapping = configuration.createConstraintMapping();
        // more specific than the built-in validator for CharSequence, which stays for other text types
        mapping.constraintDefinition(Size.class).includeExistingValidators(true).validatedBy(CodePoints.class);
        configuration.addMapping(mapping);
    }

    /** {@code @Size} on a {@code String}, counted in characters. */
    public static final class CodePoints implements ConstraintValidator<Size, String> {

        private int min;
        private int max;

        @Override
        public void initialize(Size size) {
            min = size.min();
            max = size.max();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            int length = of(value);
            return length >= min && length <= max;
        }
    }
}
