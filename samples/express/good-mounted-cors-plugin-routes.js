// Plugin host: every plugin adds its routes to the /api router at startup
// (the plugins are packages named in PLUGINS). cors() on /api admits the
// dashboard only, with credentials.
const express = require('express');
const cors = require('cors');

const app = express();
const api = express.Router();

app.use('/api', cors({ origin: 'https://dashboard.example.com', credentials: true }), api);

for (const name of (process.env.PLUGINS || '').split(',').filter(Boolean)) {
  require(name)(api);
}

app.listen(process.env.PORT || 3000);
