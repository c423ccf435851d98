package io.camelsendmail.springboot;

import java.security.PrivateKey;
import java.util.Set;

import io.camelsendmail.AccessTokenProvider;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.GenericConverter;

/**
 * Turns {@code #name} (or {@code #bean:name}) in a {@code camel.component.sendmail.*} property into the bean of that
 * name, for the options that take a bean: {@code sslContextParameters}, {@code tokenProvider}, {@code dkimPrivateKey},
 * {@code suppressionRepository}.
 */
@Configuration(proxyBeanMethods = false)
@ConfigurationPropertiesBinding
public class SendmailComponentConverter implements GenericConverter {

    @Autowired
    @Lazy
    private ApplicationContext applicationContext;

    @Override
    public Set<ConvertiblePair> getConvertibleTypes() {
        return Set.of(new ConvertiblePair(String.class, SSLContextParameters.class),
                new ConvertiblePair(String.class, AccessTokenProvider.class),
                new ConvertiblePair(String.class, PrivateKey.class),
                new ConvertiblePair(String.class, IdempotentRepository.class));
    }

    @Override
    public Object convert(Object source, TypeDescriptor sourceType, TypeDescriptor targetType) {
        if (source == null || !source.toString().startsWith("#")) {
            return null;
        }
        String name = source.toString().startsWith("#bean:") ? source.toString().substring(6) : source.toString().substring(1);
        return applicationContext.getBean(name, targetType.getType());
    }
}
