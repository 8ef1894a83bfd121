<?php
/*
 * The site's API behind real PHP (see web-stack.ts): nginx hands every /api/v2/ call to this
 * script through PHP-FPM, PHP parses it as it does for the real script ($_GET, $_POST, $_FILES,
 * with its own limits), and this hands what PHP got to the sandbox as one JSON request, marked
 * with the sandbox's secret. The sandbox answers as the script would; its answer is relayed as
 * it is. No logic of the API lives here.
 *
 * nginx passes SANDBOX_URL (where the sandbox listens) and SANDBOX_SECRET as FastCGI params.
 * The uploaded file stays where PHP put it: the sandbox, on the same machine, takes it by its
 * tmp_name before it answers (PHP deletes what is left there when the request ends).
 */

$https = isset($_SERVER['HTTPS']) && $_SERVER['HTTPS'] !== '' && $_SERVER['HTTPS'] !== 'off';
$host = isset($_SERVER['HTTP_HOST']) && $_SERVER['HTTP_HOST'] !== '' ? $_SERVER['HTTP_HOST'] : $_SERVER['SERVER_NAME'] . ':' . $_SERVER['SERVER_PORT'];

$upload = null;
if (isset($_FILES['upload_file']) && is_string($_FILES['upload_file']['name'] ?? null)) {
	$file = $_FILES['upload_file'];
	$upload = [
		'name' => $file['name'],
		'type' => $file['type'],
		'tmp_name' => $file['tmp_name'],
		'error' => $file['error'],
		'size' => $file['size'],
	];
}

// (object): an empty array must reach the sandbox as {}, not []
$input = json_encode(
	['get' => (object) $_GET, 'post' => (object) $_POST, 'upload_file' => $upload],
	JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE
);

$context = stream_context_create([
	'http' => [
		// the client's own method, so the sandbox logs and treats it as the script would
		'method' => $_SERVER['REQUEST_METHOD'],
		'header' => implode("\r\n", [
			'Content-Type: application/x-sandbox-front+json',
			'X-Sandbox-Front: ' . $_SERVER['SANDBOX_SECRET'],
			// the address the client used: the answers' links must point there, not at the sandbox
			'X-Forwarded-Host: ' . $host,
			'X-Forwarded-Proto: ' . ($https ? 'https' : 'http'),
		]),
		'content' => $input,
		// every status is relayed as it is, never followed
		'ignore_errors' => true,
		'follow_location' => 0,
		// nginx decides when the client stops waiting (fastcgi_read_timeout); PHP goes on, as the script does
		'timeout' => 600,
	],
	'ssl' => ['verify_peer' => false, 'verify_peer_name' => false],
]);
$answer = @file_get_contents($_SERVER['SANDBOX_URL'] . $_SERVER['REQUEST_URI'], false, $context);

if ($answer === false || empty($http_response_header)) {
	// The sandbox closed the connection without an answer (its `close` fault). A PHP worker that
	// dies is what nginx then meets: it answers 502 itself.
	if (function_exists('posix_kill')) posix_kill(getmypid(), 9);
	http_response_code(502);
	exit;
}

// The status line, then the headers; Content-Length and the connection's own are PHP's to set.
$status = (int) (explode(' ', $http_response_header[0])[1] ?? 500);
http_response_code($status);
foreach (array_slice($http_response_header, 1) as $line) {
	$name = strtolower(trim(strstr($line, ':', true) ?: ''));
	if ($name === '' || in_array($name, ['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'date'], true)) continue;
	header($line);
}
echo $answer;
