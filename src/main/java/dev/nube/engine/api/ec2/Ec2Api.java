package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiProtocol;
import dev.nube.engine.api.ApiRequest;
import dev.nube.engine.api.ApiResponse;
import dev.nube.engine.api.ApiServer;
import dev.nube.engine.api.SignatureV4;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * EC2's Query protocol (API version 2016-11-15): {@code Action=...&Version=...} as a form body (or the query),
 * answered in XML in EC2's namespace, refused with EC2's error codes in its {@code <Response><Errors>} form. The
 * actions live in a class per area, each registering into this one's table while it is built; after that the table
 * is only read, so requests on many threads share it safely.
 */
public final class Ec2Api implements ApiProtocol {
    static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    static final String DRY_RUN_OPERATION = "DryRunOperation";
    private static final String XML = "text/xml;charset=UTF-8";

    private final Map<String, Ec2Action> actions = new HashMap<>();

    /** Every action, registered by the classes of each area (instances, keys and groups, storage, ...). */
    public Ec2Api(Engine engine) {
        Ec2Items items = new Ec2Items(engine);
        new Ec2RegionActions(engine).register(this);
        new Ec2InstanceActions(engine, items).register(this);
        new Ec2KeyPairActions(engine, items).register(this);
        new Ec2SecurityGroupActions(engine, items).register(this);
        new Ec2StorageActions(engine, items).register(this);
        new Ec2AddressActions(engine, items).register(this);
        new Ec2TagActions(engine).register(this);
    }

    /** Registers an action under its name; called while constructing, before any request. */
    void put(String action, Ec2Action handler) {
        if (actions.putIfAbsent(action, handler) != null) {
            throw new IllegalStateException(action + " is registered twice");
        }
    }

    @Override
    public String signingName() {
        return "ec2";
    }

    @Override
    public boolean claims(String method, String rawPath, Map<String, String> headers) {
        return rawPath.equals("/") && !headers.containsKey("x-amz-target");
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        Map<String, String> params = new LinkedHashMap<>(request.query());
        String type = request.header("content-type");
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            params.putAll(ApiRequest.parseForm(request.bodyText(), true));
        }
        String action = params.get("Action");
        if (action == null || action.isBlank()) {
            return reject(400, "MissingAction", "The request must contain the parameter Action.", request.requestId());
        }
        Ec2Action handler = actions.get(action);
        if (handler == null) {
            return reject(400, "InvalidAction", "The action " + action + " is not valid for this web service.",
                    request.requestId()).withHeader(ApiServer.ACTION_HEADER, action);
        }
        try {
            XmlWriter xml = new XmlWriter().root(action + "Response").text("requestId", request.requestId());
            handler.answer(new Ec2Call(action, request, params), xml);
            return new ApiResponse(200, XML, Map.of(ApiServer.ACTION_HEADER, action), xml.bytes());
        } catch (EngineException e) {
            return error(e.code(), e.getMessage(), request.requestId()).withHeader(ApiServer.ACTION_HEADER, action);
        }
    }

    private ApiResponse error(String code, String message, String requestId) {
        int status = code.equals(DRY_RUN_OPERATION) ? 412
                : code.startsWith("Server.") || code.equals("StorageError") || code.equals("InternalError") ? 500
                : 400;
        return reject(status, code, message, requestId);
    }

    @Override
    public ApiResponse refuse(SignatureV4.Problem problem, String message, String requestId) {
        String code = switch (problem) {
            case MISSING -> "MissingAuthenticationToken";
            case INCOMPLETE -> "IncompleteSignature";
            case UNKNOWN_KEY -> "InvalidClientTokenId";
            case MISMATCH -> "SignatureDoesNotMatch";
            case EXPIRED -> "RequestExpired";
        };
        return reject(problem == SignatureV4.Problem.MISSING ? 401 : 403, code, message, requestId);
    }

    @Override
    public ApiResponse reject(int status, String code, String message, String requestId) {
        XmlWriter xml = new XmlWriter();
        xml.open("Response").open("Errors").open("Error").text("Code", code).text("Message", message).close().close()
                .text("RequestID", requestId).close();
        return new ApiResponse(status, XML, Map.of(), xml.bytes());
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
