# MCP Inspector 2 (its CLI; without --cli it opens the UI). Node >= 22.19.
npx -y @modelcontextprotocol/inspector@2.12.0 --cli "http://localhost:3000/mcp" --transport http --header "Authorization: Bearer $TOKEN" --method tools/list
npx -y @modelcontextprotocol/inspector@2.12.0 --cli "http://localhost:3000/mcp" --transport http --header "Authorization: Bearer $TOKEN" --method tools/call --tool-name gmail_list-emails --tool-arg maxResults=5
npx -y @modelcontextprotocol/inspector@2.12.0 --cli "http://localhost:3000/mcp/search" --transport http --header "Authorization: Bearer $TOKEN" --method tools/call --tool-name run-read-action --tool-arg tool=gmail_list-emails
