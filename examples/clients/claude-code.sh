claude mcp add --transport http integration-app http://localhost:3000/mcp --header "Authorization: Bearer $TOKEN"
