package io.kaizen.common.vertx;

import java.util.ArrayList;
import java.util.List;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;

/**
 * The services' PostgreSQL pool, as Quarkus would make it, but keeping prepared statements of any length. The client
 * keeps (per connection) only statements up to {@code preparedStatementCacheSqlLimit} characters, 2,048 by default;
 * a longer one is parsed and planned by PostgreSQL at every run. The statements that write a batch of rows from one
 * JSON parameter (the gateway's invocation records, lineage's rows) are just over that: at 200 invokes/s the gateway's
 * record statement alone was parsed 118 times a second, two thirds of its PostgreSQL time.
 */
@Singleton
public class PostgresPool implements PgPoolCreator {

    /** Longer than any statement of the suite; the cache still holds at most 256 statements per connection. */
    static final int STATEMENT_CACHE_SQL_LIMIT = 16_384;

    @Override
    public Pool create(Input input) {
        List<SqlConnectOptions> servers = new ArrayList<>();
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            servers.add(options.setPreparedStatementCacheSqlLimit(STATEMENT_CACHE_SQL_LIMIT));
        }
        return PgBuilder.pool().with(input.poolOptions()).connectingTo(servers).using(input.vertx()).build();
    }
}
