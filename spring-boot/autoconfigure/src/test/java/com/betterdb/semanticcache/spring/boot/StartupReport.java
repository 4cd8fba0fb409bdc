package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;

import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts a real SpringApplication that is expected to fail and returns the description and action of Spring Boot's
 * "APPLICATION FAILED TO START" report for it: the failure analyzers registered on the class path, as Spring Boot
 * runs them (the first that recognises the failure wins; those that cannot load here, e.g. for lack of Spring MVC, are
 * skipped as Spring Boot skips them). Read from the analyzers rather than the console because the
 * test class path's Kafka broker brings Log4j 2, which Spring's own logging then prefers.
 */
final class StartupReport {

    private StartupReport() {
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SemanticCacheAutoConfiguration.class)
    static class App {
        @Bean
        EmbedFn embedFn() {
            return TestEmbedder.embedFn(8);
        }
    }

    /** The report of starting {@link App} with {@code args} (which must fail). */
    static String of(String... args) {
        Throwable failure = null;
        try {
            new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).run(args).close();
        } catch (Throwable e) {
            failure = e;
        }
        assertThat(failure).as("the application must fail to start").isNotNull();
        SpringFactoriesLoader.ArgumentResolver arguments = SpringFactoriesLoader.ArgumentResolver
                .of(BeanFactory.class, new DefaultListableBeanFactory())
                .and(Environment.class, new StandardEnvironment());
        for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation(StartupReport.class
                .getClassLoader()).load(FailureAnalyzer.class, arguments, (type, name, e) -> { })) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return "Description:\n\n" + analysis.getDescription() + "\n\nAction:\n\n"
                        + Objects.toString(analysis.getAction(), "");
            }
        }
        throw new AssertionError("no failure analyzer recognised " + failure, failure);
    }
}
