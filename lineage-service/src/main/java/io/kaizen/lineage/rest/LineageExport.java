package io.kaizen.lineage.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kaizen.lineage.domain.LineageRecord;
import io.netty.buffer.Unpooled;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/** Writes pages of lineage rows as one export document, a buffer per page: JSON array, NDJSON or CSV. */
final class LineageExport {

    enum Format {
        JSON("application/json", "json"), NDJSON("application/x-ndjson", "ndjson"), CSV("text/csv", "csv");

        final String mediaType;
        final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }
    }

    /** The CSV columns: every field of {@link LineageView}, in its order, by its JSON name. */
    static final List<String> COLUMNS = Arrays.stream(LineageView.class.getRecordComponents())
            .map(RecordComponent::getName)
            .map(new PropertyNamingStrategies.SnakeCaseStrategy()::translate)
            .toList();

    private final ObjectMapper mapper;
    /** The mapper's writer of a row, looked up once per export rather than once per row. */
    private final ObjectWriter writer;
    private final Format format;

    LineageExport(ObjectMapper mapper, Format format) {
        this.mapper = mapper;
        this.writer = mapper.writerFor(LineageView.class);
        this.format = format;
    }

    Multi<Buffer> write(Multi<List<LineageRecord>> pages) {
        AtomicBoolean first = new AtomicBoolean(true);
        Multi<Buffer> body = pages.map(rows -> page(rows, first));
        return switch (format) {
            case JSON -> Multi.createBy().concatenating().streams(Multi.createFrom().item(item("[\n")), body,
                    Multi.createFrom().item(item("]\n")));
            case NDJSON -> body;
            case CSV -> Multi.createBy().concatenating().streams(Multi.createFrom().item(item(
                    LineageCsv.line(COLUMNS.stream().map(LineageCsv.Cell::text).toList()))), body);
        };
    }

    /**
     * A streamed item of text ending in a line end. RESTEasy Reactive ends every item of a streamed answer with LF
     * itself, so the item leaves its own last LF to it (a CSV record's CRLF is completed that way).
     */
    private static Buffer item(String text) {
        Page page = new Page(text.length());
        page.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return page.item();
    }

    /**
     * A page of rows as one item, written as UTF-8 bytes straight from the rows: no text of the page is built and
     * encoded again.
     */
    private Buffer page(List<LineageRecord> rows, AtomicBoolean first) {
        Page page = new Page(rows.size() * 1536);
        for (LineageRecord row : rows) {
            LineageView view = LineageView.of(row);
            switch (format) {
                case JSON -> {
                    if (!first.getAndSet(false)) {
                        page.write(',');
                    }
                    json(view, page);
                    page.write('\n');
                }
                case NDJSON -> {
                    json(view, page);
                    page.write('\n');
                }
                case CSV -> page.writeBytes(csv(view).getBytes(StandardCharsets.UTF_8));
            }
        }
        return page.item();
    }

    /** The bytes of one item, handed to the answer without a copy. */
    private static final class Page extends ByteArrayOutputStream {

        Page(int size) {
            super(size);
        }

        Buffer item() {
            if (count == 0 || buf[count - 1] != '\n') {
                throw new IllegalStateException("an export item ends in a line end");
            }
            return Buffer.buffer(Unpooled.wrappedBuffer(buf, 0, count - 1));
        }
    }

    private String csv(LineageView view) {
        ObjectNode node = mapper.valueToTree(view);
        List<LineageCsv.Cell> cells = new ArrayList<>(COLUMNS.size());
        for (String column : COLUMNS) {
            JsonNode value = node.get(column);
            if (value == null || value.isNull()) {
                cells.add(new LineageCsv.Cell(null, false));
            } else if (value.isTextual()) {
                cells.add(LineageCsv.Cell.text(value.asText()));
            } else {
                cells.add(new LineageCsv.Cell(value.asText(), false));
            }
        }
        return LineageCsv.line(cells);
    }

    private void json(LineageView view, Page page) {
        try {
            writer.writeValue(page, view);
        } catch (IOException e) {
            throw new IllegalStateException("a lineage view is writable", e);
        }
    }
}
