package dev.nube.javaruntime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Loads the handler named by _HANDLER as Lambda's Java runtime does: {@code package.Class::method}, or
 * {@code package.Class} for a class implementing {@link RequestHandler} or {@link RequestStreamHandler} (any other
 * class: its {@code handleRequest}). A method may take {@code ()}, {@code (I)}, {@code (I, Context)},
 * {@code (InputStream, OutputStream)} or {@code (InputStream, OutputStream, Context)}; the event and the result are
 * mapped with Jackson to and from the declared types (POJOs, maps, lists, strings, numbers). The class is loaded and
 * initialised, and an instance made with its public no-argument constructor (unless the method is static), during
 * the init. Used once, on the runtime's main thread.
 */
final class HandlerLoader {
    private final Supplier<ObjectMapper> json;
    private final ClassLoader loader;
    /** The handler's declared event and result types, which {@link #prepare} readies Jackson for. */
    private final java.util.List<Type> types = new java.util.ArrayList<>();

    /** @param json Jackson's mapper, asked for at the first event (it is made while the class loads) */
    HandlerLoader(Supplier<ObjectMapper> json, ClassLoader loader) {
        this.json = json;
        this.loader = loader;
    }

    Handler load(String handler) throws InitError {
        String spec = handler == null ? "" : handler.strip();
        int separator = spec.indexOf("::");
        String className = separator < 0 ? spec : spec.substring(0, separator);
        String methodName = separator < 0 ? null : spec.substring(separator + 2);
        if (className.isEmpty() || (methodName != null && methodName.isEmpty())) {
            throw new InitError("Runtime.MalformedHandlerName", "Invalid handler '" + spec
                    + "': expected package.Class::method or package.Class", null);
        }
        Class<?> type = loadClass(className);
        if (methodName == null && RequestStreamHandler.class.isAssignableFrom(type)) {
            RequestStreamHandler instance = (RequestStreamHandler) instantiate(type);
            return (event, context) -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                instance.handleRequest(new ByteArrayInputStream(event), out, context);
                return out.toByteArray();
            };
        }
        if (methodName == null && RequestHandler.class.isAssignableFrom(type)) {
            @SuppressWarnings("unchecked")
            RequestHandler<Object, Object> instance = (RequestHandler<Object, Object>) instantiate(type);
            Optional<Method> declared = Arrays.stream(type.getMethods())
                    .filter(m -> m.getName().equals("handleRequest") && !m.isBridge() && m.getParameterCount() == 2
                            && m.getParameterTypes()[1] == Context.class)
                    .findFirst();
            Type input = declared.map(m -> m.getGenericParameterTypes()[0]).orElse(Object.class);
            types.add(input);
            declared.map(Method::getGenericReturnType).ifPresent(types::add);
            return (event, context) -> write(instance.handleRequest(read(event, input), context), false);
        }
        return method(type, methodName == null ? "handleRequest" : methodName);
    }

    private Class<?> loadClass(String className) throws InitError {
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new InitError(e.getClass().getName(), "Class not found: " + className + sourceHint(className), e);
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new InitError(e.getClass().getName(), "Error loading class " + className + ": " + cause, cause);
        } catch (Throwable e) {
            throw new InitError(e.getClass().getName(), "Error loading class " + className
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    /** When the code holds the class's source but not the class: Nube compiles sources on Deploy. */
    private static String sourceHint(String className) {
        String source = className.replace('.', '/') + ".java";
        for (String root : new String[] {"", "src/main/java/"}) {
            if (java.nio.file.Files.isRegularFile(java.nio.file.Path.of(System.getenv().getOrDefault(
                    "LAMBDA_TASK_ROOT", "/var/task"), root + source))) {
                return " (the code has its source, " + root + source + ", but not its compiled class: Deploy"
                        + " compiles the sources)";
            }
        }
        return "";
    }

    private static Object instantiate(Class<?> type) throws InitError {
        try {
            var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new InitError(cause.getClass().getName(), "Error loading class " + type.getName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new InitError(e.getClass().getName(), "Error loading class " + type.getName()
                    + ": it needs a public constructor without arguments (" + e + ")", e);
        }
    }

    /** Whether {@code m}'s parameters are one of the shapes Lambda accepts. */
    private static boolean callable(Method m) {
        Class<?>[] p = m.getParameterTypes();
        return switch (p.length) {
            case 0 -> true;
            case 1 -> p[0] != Context.class && p[0] != OutputStream.class;
            case 2 -> p[1] == Context.class || (p[0] == InputStream.class && p[1] == OutputStream.class);
            case 3 -> p[0] == InputStream.class && p[1] == OutputStream.class && p[2] == Context.class;
            default -> false;
        };
    }

    private Handler method(Class<?> type, String name) throws InitError {
        // The most specific overload first: more parameters, then a declared type over Object.
        Method method = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(name) && !m.isBridge() && callable(m))
                .min(Comparator.<Method>comparingInt(m -> -m.getParameterCount())
                        .thenComparing(m -> m.getParameterCount() > 0 && m.getParameterTypes()[0] == Object.class))
                .orElseThrow(() -> new InitError("java.lang.NoSuchMethodException", "No public method named " + name
                        + " with appropriate method signature found on class " + type.getName(), null));
        Object instance = Modifier.isStatic(method.getModifiers()) ? null : instantiate(type);
        method.setAccessible(true);
        Class<?>[] p = method.getParameterTypes();
        boolean streams = p.length >= 2 && p[0] == InputStream.class && p[1] == OutputStream.class;
        boolean withContext = p.length > 0 && p[p.length - 1] == Context.class;
        boolean noResult = method.getReturnType() == void.class;
        Type input = p.length == 0 || streams ? null : method.getGenericParameterTypes()[0];
        Type output = method.getGenericReturnType();
        if (input != null) {
            types.add(input);
        }
        if (!streams && !noResult) {
            types.add(output);
        }
        return (event, context) -> {
            Object[] arguments = new Object[p.length];
            ByteArrayOutputStream out = null;
            if (streams) {
                out = new ByteArrayOutputStream();
                arguments[0] = new ByteArrayInputStream(event);
                arguments[1] = out;
            } else if (p.length > 0 && !(p.length == 1 && withContext)) {
                arguments[0] = read(event, input);
            }
            if (withContext) {
                arguments[p.length - 1] = context;
            }
            Object result;
            try {
                result = method.invoke(instance, arguments);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return streams ? out.toByteArray() : write(result, noResult || output == Void.class);
        };
    }

    /**
     * Readies Jackson during the init, which runs at full speed (the function's CPU share applies from its first
     * event on, as Lambda's does): finds the (de)serializers of the handler's types and takes a small event through
     * the untyped ones, so the first invocation does not pay for them at a 128 MB function's share of a CPU. What
     * cannot be readied here (a type Jackson refuses) is left to fail on the event, as it would have.
     */
    void prepare() {
        ObjectMapper mapper = json.get();
        for (Type type : types) {
            try {
                mapper.readerFor(mapper.constructType(type));
                mapper.writerFor(mapper.constructType(type));
            } catch (RuntimeException e) {
                // reported with the first event that needs it
            }
        }
        try {
            Object sample = mapper.readValue("{\"s\":\"x\",\"n\":[1,1.5,true,null],\"o\":{}}", Object.class);
            mapper.writeValueAsBytes(sample);
        } catch (IOException e) {
            // only a warm-up
        }
    }

    private Object read(byte[] event, Type type) {
        if (event.length == 0) {
            return null;
        }
        ObjectMapper mapper = json.get();
        try {
            return mapper.readValue(event, mapper.constructType(type));
        } catch (IOException e) {
            throw new RuntimeException("An error occurred during JSON parsing", e);
        }
    }

    private byte[] write(Object result, boolean noResult) throws IOException {
        return noResult ? "null".getBytes(StandardCharsets.UTF_8) : json.get().writeValueAsBytes(result);
    }
}
