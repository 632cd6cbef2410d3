package io.kaizen.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Field;
import java.time.Duration;

import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.query.spi.QueryInterpretationCache;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * Database settings every service takes from common's microprofile-config.properties, checked in one service.
 * <p>
 * Every run of a native select adds a plan to Hibernate's plan cache, since Hibernate Reactive's result mapping
 * equals only itself; the suite bounds the cache so that the lookups of such a query, which walk every plan under its
 * hash, stay short. Without the bound the cache grows to 2,048 plans.
 * <p>
 * A transaction its pipeline never completed would keep its locks and hold back PostgreSQL's vacuum in every database;
 * the services' connections ask PostgreSQL to end a session left idle inside a transaction for 5 minutes.
 * <p>
 * The pool keeps long statements prepared (common's {@code PostgresPool}).
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class DatabaseSettingsTest {

    private static final int BOUND = 128;

    @Inject
    Mutiny.SessionFactory sessions;

    @Inject
    Pool pool;

    @Test
    void nativeSelectsRunOftenLeaveThePlanCacheWithinItsBound() throws Throwable {
        QueryInterpretationCache cache = interpretations();
        for (int run = 0; run < 3 * BOUND; run++) {
            Object count = VertxContextSupport.subscribeAndAwait(() -> sessions.withSession(session -> session
                    .createNativeQuery("select count(*) from (select 1) one").getSingleResult()));
            assertThat(((Number) count).longValue()).isEqualTo(1);
        }
        // the cache evicts in the background: wait for it, the bound is what matters
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(cache.getNumberOfCachedQueryPlans()).isLessThanOrEqualTo(BOUND));
    }

    @Test
    void theServicesConnectionsEndTransactionsLeftIdleForFiveMinutes() throws Throwable {
        Object timeout = VertxContextSupport.subscribeAndAwait(() -> sessions.withSession(session -> session
                .createNativeQuery("select current_setting('idle_in_transaction_session_timeout')").getSingleResult()));
        assertThat(timeout).isEqualTo("5min");
    }

    /**
     * A statement longer than the client's default limit for its prepared statement cache (2,048 characters) is kept
     * prepared on its connection like any other ({@code PostgresPool}): PostgreSQL parses it once, not at every run.
     */
    @Test
    void aStatementOfMoreThan2048CharactersStaysPreparedOnItsConnection() throws Throwable {
        String marker = "long_statement_" + System.nanoTime();
        String statement = "select 1 as " + marker + " /* " + "x".repeat(4_000) + " */ where $1::int = 1";
        Object prepared = VertxContextSupport.subscribeAndAwait(() -> pool.withConnection(connection -> connection
                .preparedQuery(statement).execute(Tuple.of(1))
                .chain(() -> connection.preparedQuery(statement).execute(Tuple.of(1)))
                .chain(() -> connection.preparedQuery("select count(*) from pg_prepared_statements"
                        + " where statement like '%' || $1 || '%' and statement not like '%pg_prepared_statements%'")
                        .execute(Tuple.of(marker)))
                .map(rows -> rows.iterator().next().getLong(0))));
        assertThat(prepared).isEqualTo(1L);
    }

    private QueryInterpretationCache interpretations() throws ReflectiveOperationException {
        Object factory = ClientProxy.unwrap(sessions);
        for (Field field : factory.getClass().getDeclaredFields()) {
            if (SessionFactoryImplementor.class.isAssignableFrom(field.getType())) {
                field.setAccessible(true);
                return ((SessionFactoryImplementor) field.get(factory)).getQueryEngine().getInterpretationCache();
            }
        }
        throw new IllegalStateException("no session factory behind " + factory.getClass());
    }
}
