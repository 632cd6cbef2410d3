package io.kaizen.approval.domain;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** The one place a list of notification channels is written to and read from its JSON text column. */
@Converter
public class ChannelListColumn implements AttributeConverter<List<NotificationChannel>, String> {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final TypeReference<List<NotificationChannel>> LIST = new TypeReference<>() {
    };

    @Override
    public String convertToDatabaseColumn(List<NotificationChannel> channels) {
        try {
            return JSON.writeValueAsString(channels == null ? List.of() : channels);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a list of channels is always serialisable", e);
        }
    }

    @Override
    public List<NotificationChannel> convertToEntityAttribute(String column) {
        try {
            return column == null ? List.of() : List.copyOf(JSON.readValue(column, LIST));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("notification channel column is not a JSON array of channels", e);
        }
    }
}
