package io.kaizen.examples.audit;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The last verified seq and hash of each organisation, in a local properties file ({@code org=seq hash}), so a
 * restarted consumer resumes the chain where it stopped, whatever offsets Kafka kept for it.
 */
public final class StateFile {

    private final Path path;

    public StateFile(Path path) {
        this.path = path;
    }

    public Map<String, ChainVerifier.Head> load() throws IOException {
        Map<String, ChainVerifier.Head> heads = new TreeMap<>();
        if (!Files.exists(path)) {
            return heads;
        }
        Properties saved = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            saved.load(in);
        }
        for (String org : saved.stringPropertyNames()) {
            String[] head = saved.getProperty(org).split(" ");
            heads.put(org, new ChainVerifier.Head(Long.parseLong(head[0]), head[1]));
        }
        return heads;
    }

    /** Writes a new file and moves it over the old one, so a crash leaves one or the other whole. */
    public void save(Map<String, ChainVerifier.Head> heads) throws IOException {
        Properties state = new Properties();
        heads.forEach((org, head) -> state.setProperty(org, head.seq() + " " + head.hash()));
        Path next = path.resolveSibling(path.getFileName() + ".next");
        try (Writer out = Files.newBufferedWriter(next, StandardCharsets.UTF_8)) {
            state.store(out, "kaizen.audit.v1: last verified seq and hash per organisation");
        }
        Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
