// A Lambda function in Go for the custom runtime (provided.al2023): Deploy builds this file into the executable
// bootstrap, which serves the Lambda Runtime API with the standard library only: it asks for the next event,
// calls handler, and posts the answer (or the error) back, forever.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"reflect"
)

// handler answers one event: the event itself, with a greeting.
func handler(event map[string]any) (map[string]any, error) {
	log.Printf("event: %v", event)
	return map[string]any{
		"message": "Hello from Go!",
		"event":   event,
	}, nil
}

// The Runtime API's errors: what Lambda shows for a failed invocation.
type lambdaError struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	StackTrace   []string `json:"stackTrace"`
}

func main() {
	log.SetFlags(0)
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime"
	client := &http.Client{} // no timeout: the next event is long-polled
	for {
		response, err := client.Get(api + "/invocation/next")
		if err != nil {
			log.Fatalf("cannot reach the Runtime API: %v", err)
		}
		body, err := io.ReadAll(response.Body)
		response.Body.Close()
		if err != nil {
			log.Fatalf("cannot read the next event: %v", err)
		}
		id := response.Header.Get("Lambda-Runtime-Aws-Request-Id")
		os.Setenv("_X_AMZN_TRACE_ID", response.Header.Get("Lambda-Runtime-Trace-Id"))

		answer, failure := invoke(body)
		if failure != nil {
			post(client, api+"/invocation/"+id+"/error", "application/vnd.aws.lambda.error+json", failure)
			continue
		}
		post(client, api+"/invocation/"+id+"/response", "application/json", answer)
	}
}

// invoke decodes the event, calls handler and encodes its answer; a panic becomes an error too.
func invoke(body []byte) (answer []byte, failure *lambdaError) {
	defer func() {
		if r := recover(); r != nil {
			failure = &lambdaError{ErrorMessage: fmt.Sprint(r), ErrorType: "Runtime.Panic", StackTrace: []string{}}
		}
	}()
	var event map[string]any
	if err := json.Unmarshal(body, &event); err != nil {
		return nil, &lambdaError{ErrorMessage: err.Error(), ErrorType: "Runtime.UnmarshalError", StackTrace: []string{}}
	}
	result, err := handler(event)
	if err != nil {
		return nil, &lambdaError{ErrorMessage: err.Error(), ErrorType: errorType(err), StackTrace: []string{}}
	}
	answer, err = json.Marshal(result)
	if err != nil {
		return nil, &lambdaError{ErrorMessage: err.Error(), ErrorType: "Runtime.MarshalError", StackTrace: []string{}}
	}
	return answer, nil
}

// errorType names an error's type as AWS's Go runtime does: "errorString" for errors.New's.
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	return t.Name()
}

// post sends an answer or an error back for the invocation.
func post(client *http.Client, url, contentType string, value any) {
	body, ok := value.([]byte)
	if !ok {
		body, _ = json.Marshal(value)
	}
	request, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		log.Fatalf("cannot make the request to %s: %v", url, err)
	}
	request.Header.Set("Content-Type", contentType)
	if e, isError := value.(*lambdaError); isError {
		request.Header.Set("Lambda-Runtime-Function-Error-Type", e.ErrorType)
	}
	response, err := client.Do(request)
	if err != nil {
		log.Fatalf("cannot reach the Runtime API: %v", err)
	}
	io.Copy(io.Discard, response.Body)
	response.Body.Close()
}
