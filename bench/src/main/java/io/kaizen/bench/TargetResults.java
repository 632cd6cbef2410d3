package io.kaizen.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** What one target gave: its open-loop runs by rate, the rates not run and why, its closed-loop run. */
final class TargetResults {

    private final String key;
    private final String name;
    private final List<LoadResult> openLoop = new ArrayList<>();
    private final Map<Integer, String> notRun = new LinkedHashMap<>();
    private LoadResult closedLoop;
    private String absence;

    TargetResults(String key, String name) {
        this.key = key;
        this.name = name;
    }

    String key() {
        return key;
    }

    String name() {
        return name;
    }

    void add(LoadResult result) {
        openLoop.add(result);
    }

    void notRun(int rate, String reason) {
        notRun.put(rate, reason);
    }

    void closedLoop(LoadResult result) {
        closedLoop = result;
    }

    /** The whole target was not measured (nginx not installed). */
    void absent(String reason) {
        absence = reason;
    }

    List<LoadResult> openLoop() {
        return openLoop;
    }

    Optional<LoadResult> at(int rate) {
        return openLoop.stream().filter(result -> result.offeredRate() == rate).findFirst();
    }

    Optional<String> whyNotRun(int rate) {
        return Optional.ofNullable(absence != null ? absence : notRun.get(rate));
    }

    Map<Integer, String> notRun() {
        return notRun;
    }

    Optional<LoadResult> closedLoop() {
        return Optional.ofNullable(closedLoop);
    }

    Optional<String> absence() {
        return Optional.ofNullable(absence);
    }

    JsonObject toJson() {
        JsonArray open = new JsonArray();
        openLoop.forEach(result -> open.add(result.toJson()));
        JsonArray skipped = new JsonArray();
        notRun.forEach((rate, reason) -> skipped.add(new JsonObject().put("offered_rate", rate).put("reason", reason)));
        return new JsonObject().put("key", key).put("name", name).put("absent", absence).put("open_loop", open)
                .put("not_run", skipped).put("closed_loop", closedLoop == null ? null : closedLoop.toJson());
    }
}
