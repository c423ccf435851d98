package io.camelsendmail.springboot;

import io.camelsendmail.SendmailComponent;
import org.apache.camel.Component;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.spring.boot.ComponentConfigurationProperties;
import org.apache.camel.spring.boot.util.CamelPropertiesHelper;
import org.apache.camel.spring.boot.util.ConditionalOnCamelContextAndAutoConfigurationBeans;
import org.apache.camel.spring.boot.util.ConditionalOnHierarchicalProperties;
import org.apache.camel.spring.boot.util.HierarchicalPropertiesEvaluator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Lazy;

/**
 * Configures the {@code sendmail} component from {@code camel.component.sendmail.*}, in the shape of Camel's own
 * starters: a component customizer that copies the properties that are set onto the component, unless
 * {@code camel.component.sendmail.customizer.enabled=false} (or {@code camel.component.customizer.enabled=false}).
 */
@AutoConfiguration(after = { CamelAutoConfiguration.class, SendmailComponentConverter.class })
@Conditional(ConditionalOnCamelContextAndAutoConfigurationBeans.class)
@EnableConfigurationProperties({ ComponentConfigurationProperties.class, SendmailComponentConfiguration.class })
@ConditionalOnHierarchicalProperties({ "camel.component", "camel.component.sendmail" })
public class SendmailComponentAutoConfiguration {

    private final ApplicationContext applicationContext;
    private final SendmailComponentConfiguration configuration;

    public SendmailComponentAutoConfiguration(ApplicationContext applicationContext,
                                              SendmailComponentConfiguration configuration) {
        this.applicationContext = applicationContext;
        this.configuration = configuration;
    }

    @Lazy
    @Bean
    public ComponentCustomizer configureSendmailComponent() {
        return new ComponentCustomizer() {
            @Override
            public void configure(String name, Component target) {
                CamelPropertiesHelper.copyProperties(target.getCamelContext(), configuration, target);
            }

            @Override
            public boolean isEnabled(String name, Component target) {
                return HierarchicalPropertiesEvaluator.evaluate(applicationContext, "camel.component.customizer",
                        "camel.component.sendmail.customizer") && target instanceof SendmailComponent;
            }
        };
    }
}
