package io.kaizen.common.rest;

import java.io.IOException;
import java.time.temporal.Temporal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * JSON is read as the OpenAPI documents describe it, nothing looser, so a value of the wrong type is a 400 naming
 * its field ("has the wrong type" or "has an invalid value") rather than a silent conversion:
 * <ul>
 * <li>no scalar is coerced into another type: a number or a boolean is not a string, a string or a number is not a
 * boolean, a string is not a number, and a fraction is not a whole number (Jackson would otherwise read
 * {@code "30"} as 30, {@code 1.9} as 1, {@code 1} as true and {@code true} as "true");</li>
 * <li>a date or time ({@code Instant}, {@code OffsetDateTime}, {@code LocalDate}, …) is read from its ISO-8601 text
 * only, as the documents declare it ({@code format: date-time}); Jackson would otherwise read a number as seconds since
 * 1970, so {@code 1} would be a time in January 1970;</li>
 * <li>a text field holding a NUL character ({@code \u0000}) is refused: PostgreSQL cannot store it, so the request
 * is refused before anything is written rather than failing half-way through. Free-form JSON (an invocation's
 * input, an agent's reply) is read as a tree and not seen here; the database refuses a NUL in it as a data
 * exception, which is a 400 too.</li>
 * </ul>
 * The services' events are read with the same rules; their producers write them from the same types.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        mapper.configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        for (LogicalType scalar : new LogicalType[] {LogicalType.Boolean, LogicalType.Integer, LogicalType.Float}) {
            // an empty or blank string is not null either
            mapper.coercionConfigFor(scalar).setAcceptBlankAsEmpty(false)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.registerModule(new SimpleModule("nul-free-strings").addDeserializer(String.class, new NulFreeString()));
        mapper.registerModule(new SimpleModule("date-times-as-text").setDeserializerModifier(new DateTimesAsText()));
    }

    /** Reads every date or time type ({@link Temporal}) through {@link TextOnly}. */
    static final class DateTimesAsText extends BeanDeserializerModifier {

        @Override
        public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                JsonDeserializer<?> deserializer) {
            return Temporal.class.isAssignableFrom(description.getBeanClass()) ? new TextOnly(deserializer)
                    : deserializer;
        }
    }

    /** Reads a value from JSON text only; any other token is the wrong type. */
    static final class TextOnly extends DelegatingDeserializer {

        TextOnly(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new TextOnly(delegate);
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (!parser.hasToken(JsonToken.VALUE_STRING)) {
                return context.handleUnexpectedToken(handledType(), parser);
            }
            return _delegatee.deserialize(parser, context);
        }
    }

    static final class NulFreeString extends StdScalarDeserializer<String> {

        NulFreeString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String value = StringDeserializer.instance.deserialize(parser, context);
            if (value != null && value.indexOf('\u0000') >= 0) {
                return (String) context.handleWeirdStringValue(String.class, value, "holds a NUL character");
            }
            return value;
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.Textual;
        }
    }
}
