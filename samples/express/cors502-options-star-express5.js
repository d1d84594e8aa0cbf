// Express 5 (see package.json): '*' is no longer a valid path.
const express = require('express');
const cors = require('cors');

const app = express();
const corsOptions = { origin: 'https://app.example.com' };

app.options('*', cors(corsOptions)); // expect: CORS502
app.put('/api/items/:id', cors(corsOptions), (req, res) => res.sendStatus(204));

app.listen(3000);
