package dev.fuseml.mlflow;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Map;

/**
 * An error as MLflow's tracking server answers it: {@code {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": ...}}
 * with the HTTP status MLflow gives that code, so that MLflow clients raise the same {@code MlflowException}.
 */
public class MlflowError extends RuntimeException {
    /** MLflow's error codes that this server answers with, and their HTTP statuses (mlflow/exceptions.py). */
    public enum Code {
        INVALID_PARAMETER_VALUE(400), RESOURCE_ALREADY_EXISTS(400), INVALID_STATE(400), BAD_REQUEST(400),
        PERMISSION_DENIED(403), RESOURCE_DOES_NOT_EXIST(404), NOT_IMPLEMENTED(501);

        final int status;

        Code(int status) {
            this.status = status;
        }
    }

    private final Code code;

    public MlflowError(Code code, String message) {
        super(message);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    public static MlflowError invalid(String message) {
        return new MlflowError(Code.INVALID_PARAMETER_VALUE, message);
    }

    public static MlflowError missing(String message) {
        return new MlflowError(Code.RESOURCE_DOES_NOT_EXIST, message);
    }

    public static MlflowError denied(String message) {
        return new MlflowError(Code.PERMISSION_DENIED, message);
    }

    /** The body MLflow's server sends; {@code error} too, which FuseML's own clients read. */
    public static Map<String, String> body(String code, String message) {
        return Map.of("error_code", code, "message", message, "error", message);
    }

    @Provider
    public static class Mapper implements ExceptionMapper<MlflowError> {
        @Override
        public Response toResponse(MlflowError e) {
            return Response.status(e.code.status).type(MediaType.APPLICATION_JSON)
                    .entity(body(e.code.name(), e.getMessage())).build();
        }
    }
}
